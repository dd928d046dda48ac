package dev.smdp4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.smdp4j.EngineTest;
import dev.smdp4j.io.InvalidInputException;
import org.junit.jupiter.api.Test;

/** The score network's optional spectral branch: off by default, zero at start, trainable, described in the config. */
class ScoreNetSpectralTest extends EngineTest {
    private static final int[] DILATIONS = {1, 2};

    @Test
    void configRoundTripKeepsOldDescriptionsValid() {
        ScoreNetConfig off = new ScoreNetConfig(8, 1, 3, DILATIONS, "leaky-relu");
        assertFalse(off.toMap().containsKey("spectral_modes"), "off must describe itself as before");
        assertEquals(off, ScoreNetConfig.fromMap(off.toMap()));
        ScoreNetConfig on = new ScoreNetConfig(8, 1, 3, DILATIONS, "leaky-relu", 4);
        assertEquals(4, on.toMap().get("spectral_modes"));
        assertEquals(on, ScoreNetConfig.fromMap(on.toMap()));
        assertTrue(!on.equals(off));
        assertThrows(InvalidInputException.class, () -> new ScoreNetConfig(8, 1, 3, DILATIONS, "leaky-relu", -1));
    }

    /**
     * At start the branch is zero, like the projection (training starts from the physics-only reverse
     * step), and its weights get gradients.
     */
    @Test
    void startsAtZeroAndItsWeightsGetGradients() {
        try (NDManager m = manager.newSubManager()) {
            Shape in = new Shape(3, 2, 16, 16);
            Engine.getInstance().setRandomSeed(5);
            ScoreNet net = new ScoreNet(new ScoreNetConfig(8, 1, 3, DILATIONS, "leaky-relu", 3), 2);
            net.initialize(m, DataType.FLOAT32, in);
            int spectral = 0;
            for (Pair<String, Parameter> p : net.getParameters()) {
                spectral += p.getKey().contains("spectral") ? 1 : 0;
            }
            assertEquals(2, spectral, "real and imaginary weights");
            NDArray x = m.randomNormal(in);
            ParameterStore store = new ParameterStore(m, false);
            float[] out0 = net.forward(store, new NDList(x), false).singletonOrThrow().toFloatArray();
            assertArrayEquals(new float[out0.length], out0, 0f);

            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray out = net.forward(store, new NDList(x), true).singletonOrThrow();
                gc.backward(out.mul(x.get(":, 0:1")).sum());
            }
            for (Pair<String, Parameter> p : net.getParameters()) {
                if (p.getKey().contains("spectral")) {
                    float max = p.getValue().getArray().getGradient().abs().max().getFloat();
                    assertTrue(max > 0, p.getKey() + " gets no gradient");
                }
            }
        }
    }
}
