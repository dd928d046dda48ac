package dev.smdp4j.problem.toy;

/**
 * The toy SDE's metric: the fractions {@code rho_-} and {@code rho_+} of reconstructed starts that
 * lie within a relative tolerance of {@code -1} and {@code +1}, and {@code Q = 2 min(rho_-, rho_+)}:
 * 1 when both modes are reached equally, 0 when one is never reached or nothing hits.
 *
 * @param minus fraction within the tolerance of -1
 * @param plus fraction within the tolerance of +1
 * @param tolerance the relative tolerance (0.01 in the paper, 0.1 the reference's looser variant)
 */
public record ModeHits(double minus, double plus, double tolerance) {
    /** The paper's tolerance, 1%. */
    public static final double STRICT = 0.01;
    /** The reference's looser tolerance, 10%. */
    public static final double LOOSE = 0.1;

    /** The hit fractions of {@code ends} (any NaN counts as a miss). */
    public static ModeHits of(float[] ends, double tolerance) {
        if (ends.length == 0) {
            throw new IllegalArgumentException("no end states");
        }
        int minus = 0;
        int plus = 0;
        for (float x : ends) {
            if (Math.abs(x + 1) <= tolerance) {
                minus++;
            } else if (Math.abs(x - 1) <= tolerance) {
                plus++;
            }
        }
        return new ModeHits((double) minus / ends.length, (double) plus / ends.length, tolerance);
    }

    /** {@code Q = 2 min(rho_-, rho_+)}. */
    public double q() {
        return 2 * Math.min(minus, plus);
    }
}
