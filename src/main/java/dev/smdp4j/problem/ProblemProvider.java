package dev.smdp4j.problem;

/**
 * A problem type found on the class path: list an implementation in
 * {@code META-INF/services/dev.smdp4j.problem.ProblemProvider} of your jar, put the jar on the
 * class path of {@code smdp} (e.g. {@code SMDP_CLASSPATH}), and {@code smdp generate --problem NAME}
 * and every command after it know the problem, as the built-in ones.
 */
public interface ProblemProvider {

    /** The problem type to register. */
    Problems.Entry entry();
}
