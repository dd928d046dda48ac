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
            checkValuesAndGradient(x, rows, cols, p, false);
            if (p > 0 && 2 * p <= rows) { // the in-place path needs 0 < 2p <= the field size
                checkValuesAndGradient(x, rows, cols, p, true);
            }
        }
    }

    @Test
    void largeFieldsArePaddedAlikeWithAndWithoutGradientRecording() {
        // 4 x 16 fields of 64 x 64: at the size from which padding without gradient recording
        // fills the border in place; with recording it concatenates. Both against the host.
        int rows = 64;
        int cols = 64;
        int p = 3;
        float[] x = new float[4 * 16 * rows * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(0.37 * i);
        }
        assertEquals(Periodic.IN_PLACE_MIN_SIZE, x.length, "the test's array is at the threshold");
        int[] source = sources(4 * 16, rows, cols, p);
        float[] expected = new float[source.length];
        for (int dst = 0; dst < source.length; dst++) {
            expected[dst] = x[source[dst]];
        }
        try (NDManager s = manager.newSubManager()) {
            NDArray in = EngineArrays.of(s, x, new Shape(4, 16, rows, cols));
            assertArrayEquals(expected, Periodic.pad(in, p).toFloatArray(), "without gradient recording");
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                assertArrayEquals(expected, Periodic.pad(in, p).toFloatArray(), "with gradient recording");
            }
        }
    }

    /** Two fields padded by {@code p}, by {@link Periodic#pad} or {@link Periodic#fillHalo}, against the host. */
    private static void checkValuesAndGradient(float[] x, int rows, int cols, int p, boolean inPlace) {
        int[] source = sources(2, rows, cols, p);
        float[] weights = new float[source.length];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (i % 7) + 1; // distinct weights, so that a misplaced gradient shows
        }
        float[] expected = new float[source.length];
        float[] expectedGrad = new float[x.length];
        for (int dst = 0; dst < source.length; dst++) {
            expected[dst] = x[source[dst]];
            expectedGrad[source[dst]] += weights[dst];
        }
        String what = "p = " + p + (inPlace ? ", in place" : "");
        try (NDManager s = manager.newSubManager();
                GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray in = EngineArrays.of(s, x, new Shape(2, rows, cols));
            in.setRequiresGradient(true);
            NDArray out = inPlace ? Periodic.fillHalo(in, p) : Periodic.pad(in, p);
            assertEquals(new Shape(2, rows + 2 * p, cols + 2 * p), out.getShape());
            assertArrayEquals(expected, out.toFloatArray(), "values, " + what);
            gc.backward(out.mul(EngineArrays.of(s, weights, out.getShape())).sum());
            assertArrayEquals(expectedGrad, in.getGradient().toFloatArray(), "gradient, " + what);
        }
    }

    /** For each cell of {@code items} fields padded by {@code p}, the index of the cell it copies. */
    private static int[] sources(int items, int rows, int cols, int p) {
        int pr = rows + 2 * p;
        int pc = cols + 2 * p;
        int[] source = new int[items * pr * pc];
        for (int b = 0; b < items; b++) {
            for (int i = 0; i < pr; i++) {
                for (int j = 0; j < pc; j++) {
                    source[(b * pr + i) * pc + j] =
                            (b * rows + Math.floorMod(i - p, rows)) * cols + Math.floorMod(j - p, cols);
                }
            }
        }
        return source;
    }
}
