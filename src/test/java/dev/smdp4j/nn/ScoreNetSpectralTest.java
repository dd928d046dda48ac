package dev.smdp4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.smdp4j.EngineTest;
import dev.smdp4j.io.InvalidInputException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/** The score network's optional spectral branch: off by default, zero at start, trainable, described in the config. */
class ScoreNetSpectralTest extends EngineTest {
    private static final int[] DILATIONS = {1, 2};

    @Test
    void configRoundTripKeepsOldDescriptionsValid() {
        ScoreNetConfig off = new ScoreNetConfig(8, 1, 3, DILATIONS, "leaky-relu");
        assertEquals(0, off.toMap().get("spectral_modes"));
        Map<String, Object> before = new LinkedHashMap<>(off.toMap()); // as written before the branch existed
        before.keySet().removeIf(k -> k.startsWith("spectral_"));
        assertEquals(off, NetworkConfig.fromMap(before));
        assertEquals(off, NetworkConfig.fromMap(off.toMap()));
        ScoreNetConfig on = new ScoreNetConfig(8, 1, 3, DILATIONS, "leaky-relu", 4);
        assertEquals(4, on.toMap().get("spectral_modes"));
        assertEquals(on, NetworkConfig.fromMap(on.toMap()));
        assertTrue(!on.equals(off));
        assertThrows(InvalidInputException.class, () -> new ScoreNetConfig(8, 1, 3, DILATIONS, "leaky-relu", -1));
        ScoreNetConfig terms = new ScoreNetConfig(8, 1, 3, DILATIONS, "leaky-relu", 4, new int[] {-1, 0, 2});
        assertEquals(List.of(-1, 0, 2), terms.toMap().get("spectral_field_powers"));
        assertEquals(List.of(), on.toMap().get("spectral_field_powers"));
        assertEquals(terms, NetworkConfig.fromMap(terms.toMap()));
        assertTrue(!terms.equals(on));
        Map<String, Object> early = new LinkedHashMap<>(on.toMap());
        early.put("spectral_field_terms", 3); // the first form of the option: powers 0, 1, 2
        assertEquals(
                new ScoreNetConfig(8, 1, 3, DILATIONS, "leaky-relu", 4, new int[] {0, 1, 2}),
                NetworkConfig.fromMap(early));
        assertThrows(
                InvalidInputException.class,
                () -> new ScoreNetConfig(8, 1, 3, DILATIONS, "leaky-relu", 0, new int[] {0}),
                "field terms without the branch");
        assertThrows(
                InvalidInputException.class,
                () -> new ScoreNetConfig(8, 1, 3, DILATIONS, "leaky-relu", 4, new int[] {1, 1}),
                "repeated power");
    }

    /**
     * With field terms {@code x} and {@code tau x}, random weights on them and zero weights elsewhere
     * in the branch (the projection starts at zero), the output is the branch on {@code [x, tau x]}
     * alone: linear in the field at fixed time, affine in tau at a fixed field, and band-limited to the
     * branch's modes. With {@code x / tau} alone it is proportional to {@code 1 / tau}.
     */
    @Test
    void fieldTermsMakeALinearMapOfTheFieldPolynomialInTime() {
        try (NDManager m = manager.newSubManager()) {
            int n = 16;
            BiFunction<NDArray, Float, NDArray> f = branchOnFieldTerms(m, n, new int[] {0, 1});
            NDArray x1 = m.randomNormal(new Shape(1, 1, n, n));
            NDArray x2 = m.randomNormal(new Shape(1, 1, n, n));
            NDArray a = f.apply(x1, 0.3f);
            float scale = a.abs().max().getFloat();
            assertTrue(scale > 1e-3, "the branch must respond to the field");
            NDArray sum = f.apply(x1.mul(2).add(x2.mul(-3)), 0.3f);
            NDArray expected = a.mul(2).add(f.apply(x2, 0.3f).mul(-3));
            assertTrue(sum.sub(expected).abs().max().getFloat() < 1e-4 * scale * 5, "linear in x");
            NDArray mid = f.apply(x1, 0.5f);
            NDArray ends = f.apply(x1, 0.2f).add(f.apply(x1, 0.8f)).div(2);
            assertTrue(mid.sub(ends).abs().max().getFloat() < 1e-4 * scale, "affine in tau with two terms");
            assertTrue(mid.sub(a).abs().max().getFloat() > 1e-3 * scale, "the time term must act");
            // band limit: a field made only of wavenumber (6, 0) (above the kept modes) gives zero
            float[] cos = new float[n * n];
            for (int r = 0; r < n; r++) {
                for (int c = 0; c < n; c++) {
                    cos[r * n + c] = (float) Math.cos(2 * Math.PI * 6 * r / n);
                }
            }
            NDArray high = f.apply(m.create(cos, new Shape(1, 1, n, n)), 0.5f);
            assertTrue(high.abs().max().getFloat() < 1e-5 * scale * 10, "only the kept modes pass");

            BiFunction<NDArray, Float, NDArray> inverse = branchOnFieldTerms(m, n, new int[] {-1});
            NDArray quarter = inverse.apply(x1, 0.25f);
            NDArray half = inverse.apply(x1, 0.5f);
            assertTrue(quarter.abs().max().getFloat() > 1e-3, "the x / tau term must respond");
            assertTrue(
                    quarter.sub(half.mul(2)).abs().max().getFloat()
                            < 1e-5 * quarter.abs().max().getFloat() * 10,
                    "x / tau: halving tau doubles the output");
        }
    }

    /**
     * Exclusive: the network's output has no content on the branch's modes while the branch is zero
     * (random projection weights, so the convolutional part alone would put some there), and the
     * high-pass keeps a mode above them unchanged.
     */
    @Test
    void exclusiveBranchAloneProducesItsModes() {
        try (NDManager m = manager.newSubManager()) {
            int n = 16;
            Shape in = new Shape(2, 2, n, n);
            NDArray x = m.randomNormal(in);
            SpectralConv2d layer = new SpectralConv2d(1, 1, 3);
            float[] wave = new float[n * n];
            for (int r = 0; r < n; r++) {
                for (int c = 0; c < n; c++) {
                    wave[r * n + c] = (float) Math.sin(2 * Math.PI * (5 * r + 2 * c) / n);
                }
            }
            NDArray high = m.create(wave, new Shape(1, 1, n, n));
            assertTrue(layer.highPass(high).sub(high).abs().max().getFloat() < 1e-5, "mode (5, 2) passes unchanged");
            float[] low = new float[n * n];
            for (int r = 0; r < n; r++) {
                for (int c = 0; c < n; c++) {
                    low[r * n + c] = (float) Math.cos(2 * Math.PI * (-2 * r + c) / n);
                }
            }
            NDArray lowWave = m.create(low, new Shape(1, 1, n, n));
            assertTrue(
                    layer.highPass(lowWave).abs().max().getFloat() < 1e-5,
                    "mode (-2, 1) removed: "
                            + layer.highPass(lowWave).abs().max().getFloat());
            float[] lowContent = new float[2];
            for (int e = 0; e < 2; e++) {
                Engine.getInstance().setRandomSeed(4);
                ScoreNet net =
                        new ScoreNet(new ScoreNetConfig(8, 1, 3, DILATIONS, "leaky-relu", 3, new int[0], e == 1), 2);
                net.initialize(m, DataType.FLOAT32, in);
                for (Pair<String, Parameter> p : net.getParameters()) {
                    if (p.getKey().contains("project") && p.getKey().contains("weight")) {
                        NDArray w = p.getValue().getArray();
                        w.intern(m.randomNormal(w.getShape()));
                    }
                }
                NDArray out = net.forward(new ParameterStore(m, false), new NDList(x), false)
                        .singletonOrThrow();
                lowContent[e] = out.sub(layer.highPass(out)).abs().max().getFloat(); // the part on the kept modes
                if (e == 1) {
                    NDArray again = layer.highPass(layer.highPass(x));
                    assertTrue(again.sub(layer.highPass(x)).abs().max().getFloat() < 1e-5, "a projection: idempotent");
                }
                assertTrue(out.abs().max().getFloat() > 1e-2, "the projection must produce output");
            }
            assertTrue(
                    lowContent[0] > 1e-3, "without exclusive the convolutions reach the low modes: " + lowContent[0]);
            assertTrue(
                    lowContent[1] < 1e-4 * lowContent[0], "exclusive: nothing on the branch's modes: " + lowContent[1]);
        }
    }

    /**
     * A score network (width 8, 3 modes) with the given field powers, random weights on the branch's
     * field-term rows and zero on its hidden-layer rows; returns {@code (x, tau) -> output}.
     */
    private static BiFunction<NDArray, Float, NDArray> branchOnFieldTerms(NDManager m, int n, int[] powers) {
        Engine.getInstance().setRandomSeed(9);
        ScoreNet net = new ScoreNet(new ScoreNetConfig(8, 1, 3, DILATIONS, "leaky-relu", 3, powers), 2);
        net.initialize(m, DataType.FLOAT32, new Shape(1, 2, n, n));
        for (Pair<String, Parameter> p : net.getParameters()) {
            if (p.getKey().contains("spectral")) {
                NDArray w = p.getValue().getArray();
                assertEquals(8 + powers.length, w.getShape().get(0), "hidden channels plus one row per field term");
                NDArray random = m.randomNormal(w.getShape());
                random.set(new NDIndex("0:8"), 0f); // the hidden layer's rows stay zero
                w.intern(random);
            }
        }
        ParameterStore store = new ParameterStore(m, false);
        return (x, tau) -> net.forward(store, new NDList(x.concat(m.full(new Shape(1, 1, n, n), tau), 1)), false)
                .singletonOrThrow();
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
            float[] out0 =
                    net.forward(store, new NDList(x), false).singletonOrThrow().toFloatArray();
            assertArrayEquals(new float[out0.length], out0, 0f);

            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray out = net.forward(store, new NDList(x), true).singletonOrThrow();
                gc.backward(out.mul(x.get(":, 0:1")).sum());
            }
            for (Pair<String, Parameter> p : net.getParameters()) {
                if (p.getKey().contains("spectral")) {
                    float max =
                            p.getValue().getArray().getGradient().abs().max().getFloat();
                    assertTrue(max > 0, p.getKey() + " gets no gradient");
                }
            }
        }
    }
}
