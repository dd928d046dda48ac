package dev.smdp4j.sample;

import dev.smdp4j.io.InvalidInputException;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The sampler registry (score_sde's registry pattern): each sampler's name, its one-line description
 * and how it is made, in the order shown to users, and the defaults of the corrector settings that
 * only {@code pc} takes. The command line's {@code --sampler} help, its checks and every
 * {@link #create} call read this one table.
 */
public final class Samplers {
    /** Langevin corrector steps of {@code pc} when none are given ({@code --corrector-steps}). */
    public static final int DEFAULT_CORRECTOR_STEPS = 1;
    /** Signal-to-noise ratio of {@code pc}'s corrector when none is given ({@code --snr}). */
    public static final double DEFAULT_SNR = 0.16;

    /** Makes a sampler from the corrector settings (which all but {@code pc} ignore). */
    @FunctionalInterface
    public interface Factory {
        Sampler create(int correctorSteps, double snr);
    }

    /** One registered sampler: its name, one-line description and factory. */
    public record Entry(String name, String description, Factory factory) {}

    private static final Map<String, Entry> REGISTRY = new LinkedHashMap<>();

    static {
        register(
                "ode",
                "SMDP-ODE as in the paper's table: x - P_d(x) + d g^2 s (the reverse SDE's drift, no noise)",
                (steps, snr) -> new EulerSampler("ode", 1, false));
        register(
                "sde",
                "SMDP-SDE: reverse-time SDE, x - P_d(x) + d g^2 s + g sqrt(d) z (no noise into t_0)",
                (steps, snr) -> new EulerSampler("sde", 1, true));
        register(
                "pf-ode",
                "probability-flow ODE (paper Eq. 2), explicit Euler: x - P_d(x) + d (1/2) g^2 s",
                (steps, snr) -> new EulerSampler("pf-ode", 0.5, false));
        register("ode-heun", "probability-flow ODE, Heun's second-order method", (steps, snr) -> new HeunSampler());
        register(
                "pc",
                "predictor-corrector: the sde step plus Langevin corrector steps (--corrector-steps, --snr)",
                PredictorCorrector::new);
    }

    /** Name -> one-line description, in the order shown to users. */
    public static final Map<String, String> DESCRIPTIONS = descriptions();

    private Samplers() {}

    private static void register(String name, String description, Factory factory) {
        REGISTRY.put(name, new Entry(name, description, factory));
    }

    private static Map<String, String> descriptions() {
        Map<String, String> d = new LinkedHashMap<>();
        REGISTRY.forEach((name, entry) -> d.put(name, entry.description()));
        return Collections.unmodifiableMap(d);
    }

    /** The registered samplers by name, in the order shown to users. */
    public static Map<String, Entry> all() {
        return Collections.unmodifiableMap(REGISTRY);
    }

    /** The registered entry named {@code name}; an unknown name fails with the list of valid ones. */
    public static Entry entry(String name) {
        Entry e = name == null ? null : REGISTRY.get(name);
        if (e == null) {
            throw new InvalidInputException(
                    "unknown sampler '" + name + "'; valid: " + String.join(", ", REGISTRY.keySet()));
        }
        return e;
    }

    /** The sampler named {@code name}; the corrector settings apply to {@code pc} only. */
    public static Sampler create(String name, int correctorSteps, double snr) {
        return entry(name).factory().create(correctorSteps, snr);
    }

    /** The sampler named {@code name} with the default corrector settings. */
    public static Sampler create(String name) {
        return create(name, DEFAULT_CORRECTOR_STEPS, DEFAULT_SNR);
    }

    /** The names, for picocli's {@code completionCandidates} (the {@code --sampler} help lists them). */
    public static final class Names implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return REGISTRY.keySet().iterator();
        }
    }
}
