package dev.smdp4j.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.smdp4j.EngineTest;
import org.junit.jupiter.api.Test;

/**
 * {@link EngineArrays#rows} picks whole rows of a multi-axis array, repeated and in any order, and
 * its gradient adds up at each row as often as it was picked.
 */
class EngineArraysRowsTest extends EngineTest {

    @Test
    void gathersWholeRowsAndTheirGradients() {
        try (NDManager m = manager.newSubManager()) {
            float[] values = new float[4 * 2 * 3];
            for (int i = 0; i < values.length; i++) {
                values[i] = i;
            }
            NDArray x = EngineArrays.of(m, values, new Shape(4, 2, 3));
            x.setRequiresGradient(true);
            long[] picked = {2, 0, 2};
            float[] expected = new float[3 * 6];
            for (int k = 0; k < picked.length; k++) {
                System.arraycopy(values, (int) picked[k] * 6, expected, k * 6, 6);
            }
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray rows = EngineArrays.rows(x, picked);
                assertArrayEquals(new long[] {3, 2, 3}, rows.getShape().getShape());
                assertArrayEquals(expected, rows.toFloatArray());
                gc.backward(rows.sum());
            }
            float[] gradient = new float[values.length];
            for (long r : picked) {
                for (int j = 0; j < 6; j++) {
                    gradient[(int) r * 6 + j] += 1f;
                }
            }
            assertArrayEquals(gradient, x.getGradient().toFloatArray());
        }
    }
}
