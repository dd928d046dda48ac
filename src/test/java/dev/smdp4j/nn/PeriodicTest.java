package dev.smdp4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.smdp4j.EngineTest;
import dev.smdp4j.util.EngineArrays;
import org.junit.jupiter.api.Test;

/**
 * Periodic padding against indices computed on the host, for every padding up to the field size, by
 * concatenation and (where it applies) by filling the border in place.
 */
class PeriodicTest extends EngineTest {

    @Test
    void padsWithWrappedValuesAndSendsGradientsBackToEveryCopy() {
        int rows = 5;
        int cols = 6;
        float[] x = new float[2 * rows * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = i + 1;
        }
        for (int p = 0; p <= rows; p++) {
            for (boolean inPlace : new boolean[] {false, true}) {
                if (inPlace && (p == 0 || 2 * p > rows)) {
                    continue; // the in-place path needs 0 < 2p <= the field size
                }
                try (NDManager s = manager.newSubManager()) {
                    NDArray in = EngineArrays.of(s, x, new Shape(2, rows, cols));
                    in.setRequiresGradient(true);
                    float[] padded;
                    float[] weights = new float[2 * (rows + 2 * p) * (cols + 2 * p)];
                    for (int i = 0; i < weights.length; i++) {
                        weights[i] = (i % 7) + 1; // distinct weights, so that a misplaced gradient shows
                    }
                    float[] grad;
                    try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        NDArray out = inPlace ? Periodic.fillHalo(in, p) : Periodic.pad(in, p);
                        assertEquals(new Shape(2, rows + 2 * p, cols + 2 * p), out.getShape());
                        padded = out.toFloatArray();
                        gc.backward(out.mul(EngineArrays.of(s, weights, out.getShape()))
                                .sum());
                        grad = in.getGradient().toFloatArray();
                    }
                    float[] expected = new float[padded.length];
                    float[] expectedGrad = new float[x.length];
                    int pr = rows + 2 * p;
                    int pc = cols + 2 * p;
                    for (int b = 0; b < 2; b++) {
                        for (int i = 0; i < pr; i++) {
                            for (int j = 0; j < pc; j++) {
                                int src = (b * rows + Math.floorMod(i - p, rows)) * cols + Math.floorMod(j - p, cols);
                                int dst = (b * pr + i) * pc + j;
                                expected[dst] = x[src];
                                expectedGrad[src] += weights[dst];
                            }
                        }
                    }
                    assertArrayEquals(expected, padded, "values, p = " + p + (inPlace ? ", in place" : ""));
                    assertArrayEquals(expectedGrad, grad, "gradient, p = " + p + (inPlace ? ", in place" : ""));
                }
            }
        }
    }

    @Test
    void largeFieldsArePaddedAlikeWithAndWithoutGradientRecording() {
        // 4 x 16 fields of 64 x 64: at the size from which padding without gradient recording
        // fills the border in place; with recording it concatenates. Both against the host.
        int n = 4 * 16;
        int rows = 64;
        int cols = 64;
        int p = 3;
        float[] x = new float[n * rows * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(0.37 * i);
        }
        assertEquals(Periodic.IN_PLACE_MIN_SIZE, x.length, "the test's array is at the threshold");
        int pr = rows + 2 * p;
        int pc = cols + 2 * p;
        float[] expected = new float[n * pr * pc];
        for (int b = 0; b < n; b++) {
            for (int i = 0; i < pr; i++) {
                for (int j = 0; j < pc; j++) {
                    expected[(b * pr + i) * pc + j] =
                            x[(b * rows + Math.floorMod(i - p, rows)) * cols + Math.floorMod(j - p, cols)];
                }
            }
        }
        try (NDManager s = manager.newSubManager()) {
            NDArray in = EngineArrays.of(s, x, new Shape(4, 16, rows, cols));
            assertArrayEquals(expected, Periodic.pad(in, p).toFloatArray(), "without gradient recording");
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                assertArrayEquals(expected, Periodic.pad(in, p).toFloatArray(), "with gradient recording");
            }
        }
    }
}
