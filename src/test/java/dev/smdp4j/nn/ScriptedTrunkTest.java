package dev.smdp4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.smdp4j.EngineTest;
import dev.smdp4j.util.EngineArrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Passes without gradient recording run the score network's trunk as a TorchScript method
 * ({@link ScriptedTrunk}); with recording, the Java operations. Both give the same outputs (up to
 * float32 summation order), for the plain default network, SMDP's default with its spectral
 * branch, a GELU network with a 5x5 kernel and odd dilations, at batch 1 (the zero-field path)
 * and batch 5, on memory freed from arrays of NaN; the script's periodic padding equals {@link
 * Periodic#pad}; configurations the script does not support run the Java operations without it;
 * and scripted passes leave nothing in the parameters' manager.
 */
class ScriptedTrunkTest extends EngineTest {

    @Test
    void scriptedAndJavaPassesAgree() {
        ScoreNetConfig gelu = new ScoreNetConfig(16, 1, 5, new int[] {1, 3}, "gelu");
        Object[][] cases = {
            {ScoreNetConfig.defaults(), 3, true},
            {ScoreNetConfig.smdpDefaults(), 3, true},
            {gelu, 2, true},
            {new ScoreNetConfig(20, 1, 3, new int[] {1, 2}, "leaky-relu"), 3, false}, // width 20: channel padding
        };
        for (Object[] c : cases) {
            ScoreNetConfig config = (ScoreNetConfig) c[0];
            int in = (Integer) c[1];
            boolean scripted = (Boolean) c[2];
            for (int batch : new int[] {1, 5}) {
                String label = config + ", " + in + " input channels, batch " + batch;
                try (NDManager m = manager.newSubManager()) {
                    ScoreNet net = new ScoreNet(config, in);
                    Shape shape = new Shape(batch, in, 32, 32);
                    net.initialize(m, DataType.FLOAT32, shape);
                    randomise(net, m, new Random(batch + 7L * in));
                    NDArray x = EngineArrays.of(m, gaussian(new Random(batch), (int) shape.size()), shape);
                    float[] java;
                    JniUtils.setGradMode(true);
                    try {
                        java = pass(net, m, x);
                    } finally {
                        JniUtils.setGradMode(false);
                    }
                    poison(m, new Shape(batch, config.width(), 48, 48));
                    float[] script = pass(net, m, x);
                    assertEquals(scripted, net.scripted(), label + ": scripted");
                    double scale = FieldAsserts.assertCloseToScale(java, script, 1e-5, label);
                    assertTrue(scale > 0.1, label + ": a non-trivial output");
                }
            }
        }
    }

    /**
     * The script pads into an uninitialised channels-last array; on memory just freed from arrays of
     * NaN it must still give exactly {@link Periodic#pad}'s values, also where the borders are wider
     * than half the field (where the border copies read rows that other copies wrote).
     */
    @Test
    void theScriptsPaddingEqualsPeriodicPaddingOnUninitialisedMemory() {
        try (NDManager m = manager.newSubManager()) {
            ScriptedTrunk script = ScriptedTrunk.compile(m, ScoreNetConfig.defaults());
            for (Shape shape :
                    new Shape[] {new Shape(1, 2, 8, 10), new Shape(3, 32, 8, 10), new Shape(2, 16, 32, 32)}) {
                for (int p : new int[] {1, 3, 5, 8}) {
                    try (NDManager s = m.newSubManager()) {
                        NDArray x = s.randomNormal(shape);
                        poison(s, new Shape(shape.get(0), shape.get(1), shape.get(2) + 2L * p, shape.get(3) + 2L * p));
                        float[] got = script.pad(x, p).toFloatArray();
                        assertArrayEquals(Periodic.pad(x, p).toFloatArray(), got, shape + ", p = " + p);
                    }
                }
            }
        }
    }

    @Test
    void scriptedPassesLeaveNothingInTheParametersManager() {
        try (NDManager params = manager.newSubManager()) {
            ScoreNet net = new ScoreNet(ScoreNetConfig.smdpDefaults(), 3);
            net.initialize(params, DataType.FLOAT32, new Shape(2, 3, 32, 32));
            try (NDManager step = params.newSubManager()) { // compiles the script (held by the parameters' manager)
                pass(net, step, step.randomNormal(new Shape(2, 3, 32, 32)));
            }
            assertTrue(net.scripted());
            int before = params.getManagedArrays().size();
            for (int pass = 0; pass < 3; pass++) {
                try (NDManager step = params.newSubManager()) {
                    pass(net, step, step.randomNormal(new Shape(1 + pass, 3, 32, 32)));
                }
            }
            assertEquals(before, params.getManagedArrays().size(), "arrays left behind by scripted passes");
        }
    }

    @Test
    void theSystemPropertyTurnsTheScriptOff() {
        System.setProperty(ScriptedTrunk.DISABLE, "true");
        try {
            assertFalse(ScriptedTrunk.supports(ScoreNetConfig.defaults(), 3));
        } finally {
            System.clearProperty(ScriptedTrunk.DISABLE);
        }
        assertTrue(ScriptedTrunk.supports(ScoreNetConfig.defaults(), 3));
        assertTrue(ScriptedTrunk.supports(ScoreNetConfig.defaults(), 32));
        assertFalse(ScriptedTrunk.supports(ScoreNetConfig.defaults(), 20), "20 input channels need padding");
    }

    /** Arrays of {@code shape} filled with NaN and freed at once: memory the next arrays of that size may get. */
    private static void poison(NDManager m, Shape shape) {
        for (int k = 0; k < 4; k++) {
            m.full(shape, Float.NaN).close();
        }
    }

    private static float[] pass(ScoreNet net, NDManager m, NDArray x) {
        NDList out = net.forward(new ParameterStore(m, false), new NDList(x), false);
        return out.singletonOrThrow().toFloatArray();
    }

    /** Every parameter drawn anew (the projection and the spectral branch start at zero). */
    private static void randomise(ScoreNet net, NDManager m, Random random) {
        for (Pair<String, Parameter> p : net.getParameters()) {
            NDArray value = p.getValue().getArray();
            float[] v = gaussian(random, (int) value.size());
            for (int i = 0; i < v.length; i++) {
                v[i] *= 0.2f;
            }
            value.set(new NDIndex("..."), EngineArrays.of(m, v, value.getShape()));
        }
    }

    private static float[] gaussian(Random random, int size) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }
}
