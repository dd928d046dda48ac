package dev.smdp4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CalibrationTest {
    private static final int N = 400;
    private static final int SIZE = 50;
    private static final int K = 4;

    /**
     * Truth and samples drawn from the same Gaussian around a per-value centre with a per-value
     * width (a calibrated posterior), the samples' deviations scaled by {@code scale}: the ratio is
     * {@code scale} up to sampling error (about 1/sqrt(n size) = 0.7% here).
     */
    private static double ratio(double scale, long seed) {
        Random r = new Random(seed);
        float[] truth = new float[N * SIZE];
        float[] samples = new float[N * K * SIZE];
        for (int i = 0; i < N; i++) {
            for (int p = 0; p < SIZE; p++) {
                double centre = 3 * r.nextGaussian();
                double width = 0.1 + r.nextDouble();
                truth[i * SIZE + p] = (float) (centre + width * r.nextGaussian());
                for (int j = 0; j < K; j++) {
                    samples[(i * K + j) * SIZE + p] = (float) (centre + scale * width * r.nextGaussian());
                }
            }
        }
        return Calibration.spreadSkill(new HostArray(truth, N, SIZE), new HostArray(samples, N, K, SIZE));
    }

    @Test
    void aCalibratedPosteriorScoresOneAndAScaledSpreadItsScale() {
        assertEquals(1, ratio(1, 1), 0.03);
        // With spread c: E e^2 = (1 + c^2 / K) w^2 and E s^2 = c^2 w^2, so the ratio is
        // sqrt((1 + 1/K) c^2 / (1 + c^2 / K)).
        for (double c : new double[] {0.5, 2}) {
            double expected = Math.sqrt((1 + 1.0 / K) * c * c / (1 + c * c / K));
            assertEquals(expected, ratio(c, 2), 0.03 * expected, "spread x" + c);
        }
    }

    @Test
    void needsTwoSamplesAndMatchingShapes() {
        HostArray truth = new HostArray(new float[6], 2, 3);
        assertThrows(
                InvalidInputException.class,
                () -> Calibration.spreadSkill(truth, new HostArray(new float[6], 2, 1, 3)));
        assertThrows(
                InvalidInputException.class, () -> Calibration.spreadSkill(truth, new HostArray(new float[10], 2, 5)));
    }
}
