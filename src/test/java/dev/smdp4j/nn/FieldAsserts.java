package dev.smdp4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Comparisons of network outputs for the tests of this package. */
final class FieldAsserts {
    private FieldAsserts() {}

    /**
     * Asserts that {@code actual} equals {@code expected} up to {@code relative} of the largest
     * absolute expected value (float32 round-off of sums), and that this value is not zero; returns it.
     */
    static double assertCloseToScale(float[] expected, float[] actual, double relative, String what) {
        assertEquals(expected.length, actual.length, what);
        double scale = 0;
        double diff = 0;
        for (int i = 0; i < expected.length; i++) {
            scale = Math.max(scale, Math.abs(expected[i]));
            diff = Math.max(diff, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(scale > 0, what + ": all zero");
        assertTrue(diff <= relative * scale, what + ": differ by " + diff + " (largest value " + scale + ")");
        return scale;
    }
}
