package dev.smdp4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.ParameterIO;
import dev.smdp4j.util.Engines;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link Adam} against an independent double-precision implementation, and its gradient handling. */
public class AdamTest {
    private static NDManager manager;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        manager = Engines.newManager();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    // ---------------------------------------------------------------- fixtures

    /** A Linear layer with 3 outputs on 4 inputs, initialized from {@code seed}. */
    public static Block linear(NDManager m, int seed) {
        Engine.getInstance().setRandomSeed(seed);
        Block block = Linear.builder().setUnits(3).build();
        block.initialize(m, DataType.FLOAT32, new Shape(2, 4));
        return block;
    }

    /**
     * One forward and backward pass of the quadratic loss {@code scale * sum((W x_k + b - y_k)^2)}
     * on a batch that depends on {@code k}, in a per-step sub-manager.
     */
    static void backward(NDManager m, Block block, int k, double scale) {
        try (NDManager step = m.newSubManager()) {
            float[] x = new float[8];
            float[] y = new float[6];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) Math.sin(1.3 * i + 0.7 * k) * 2;
            }
            for (int i = 0; i < y.length; i++) {
                y[i] = (float) Math.cos(0.9 * i - 0.4 * k);
            }
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray out = block.forward(
                                new ParameterStore(step, false), new NDList(step.create(x, new Shape(2, 4))), true)
                        .singletonOrThrow();
                collector.backward(
                        out.sub(step.create(y, new Shape(2, 3))).square().sum().mul(scale));
            }
        }
    }

    public static Map<String, float[]> values(Block block) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            out.put(p.getKey(), p.getValue().getArray().toFloatArray());
        }
        return out;
    }

    static Map<String, float[]> gradients(Block block) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            try (NDArray g = p.getValue().getArray().getGradient()) {
                out.put(p.getKey(), g.toFloatArray());
            }
        }
        return out;
    }

    public static void assertSameBits(Map<String, float[]> expected, Map<String, float[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        for (String key : expected.keySet()) {
            assertArrayEquals(expected.get(key), actual.get(key), key); // compares floatToIntBits
        }
    }

    static Map<String, float[]> data(Map<String, HostArray> arrays) {
        Map<String, float[]> out = new LinkedHashMap<>();
        arrays.forEach((k, v) -> out.put(k, v.data()));
        return out;
    }

    /** Plain Adam/AdamW in double precision, written from the paper's Algorithm 1. */
    static final class ReferenceAdam {
        final double beta1 = 0.9;
        final double beta2 = 0.999;
        final double eps = 1e-8;
        final double weightDecay;
        final double clip;
        final Map<String, double[]> m = new HashMap<>();
        final Map<String, double[]> v = new HashMap<>();
        int t;

        ReferenceAdam(double weightDecay, double clip) {
            this.weightDecay = weightDecay;
            this.clip = clip;
        }

        void step(Map<String, double[]> params, Map<String, float[]> gradients, double lr) {
            t++;
            for (String key : params.keySet()) {
                double[] p = params.get(key);
                double[] mk = m.computeIfAbsent(key, k -> new double[p.length]);
                double[] vk = v.computeIfAbsent(key, k -> new double[p.length]);
                for (int i = 0; i < p.length; i++) {
                    double g = gradients.get(key)[i];
                    if (clip > 0) {
                        g = Math.max(-clip, Math.min(clip, g));
                    }
                    mk[i] = beta1 * mk[i] + (1 - beta1) * g;
                    vk[i] = beta2 * vk[i] + (1 - beta2) * g * g;
                    double mHat = mk[i] / (1 - Math.pow(beta1, t));
                    double vHat = vk[i] / (1 - Math.pow(beta2, t));
                    p[i] = p[i] * (1 - lr * weightDecay) - lr * mHat / (Math.sqrt(vHat) + eps);
                }
            }
        }
    }

    // ---------------------------------------------------------------- the update

    @ParameterizedTest
    @CsvSource({"0, 1.0", "0.1, 1.0", "0.1, 0", "0, Infinity"})
    void matchesAnIndependentDoubleImplementation(double weightDecay, double clip) {
        try (NDManager m = manager.newSubManager()) {
            Block block = linear(m, 7);
            Map<String, double[]> reference = new LinkedHashMap<>();
            values(block).forEach((k, v) -> reference.put(k, toDoubles(v)));
            ReferenceAdam expected = new ReferenceAdam(weightDecay, clip == Double.POSITIVE_INFINITY ? 0 : clip);
            boolean clipped = false;
            boolean unclipped = false;
            try (Adam adam = Adam.builder().weightDecay(weightDecay).clip(clip).build(block)) {
                for (int k = 0; k < 5; k++) {
                    backward(m, block, k, 0.5);
                    Map<String, float[]> g = gradients(block);
                    for (float[] gs : g.values()) {
                        for (float x : gs) {
                            clipped |= Math.abs(x) > 1.0;
                            unclipped |= Math.abs(x) < 1.0;
                        }
                    }
                    double lr = 0.05 / (1 + k); // a schedule, as the caller would apply it
                    assertTrue(adam.step(lr));
                    expected.step(reference, g, lr);
                    assertEquals(k + 1, adam.steps());
                    Map<String, float[]> actual = values(block);
                    for (String key : reference.keySet()) {
                        double[] want = reference.get(key);
                        for (int i = 0; i < want.length; i++) {
                            assertEquals(want[i], actual.get(key)[i], 1e-5, key + "[" + i + "] after step " + (k + 1));
                        }
                    }
                }
            }
            assertTrue(clipped && unclipped, "the fixture must exercise both sides of the clip bound");
        }
    }

    @Test
    void defaultsAreThePapersAndTheReferenceClip() {
        try (NDManager m = manager.newSubManager()) {
            Block block = linear(m, 3);
            Map<String, double[]> reference = new LinkedHashMap<>();
            values(block).forEach((k, v) -> reference.put(k, toDoubles(v)));
            ReferenceAdam expected = new ReferenceAdam(0, 10);
            try (Adam adam = Adam.builder().build(block)) {
                for (int k = 0; k < 3; k++) {
                    backward(m, block, k, 20); // large gradients, so the default clip of 10 matters
                    Map<String, float[]> g = gradients(block);
                    assertTrue(
                            g.values().stream().anyMatch(gs -> maxAbs(gs) > 10), "some gradient must exceed the clip");
                    adam.step(1e-3);
                    expected.step(reference, g, 1e-3);
                }
            }
            Map<String, float[]> actual = values(block);
            reference.forEach((key, want) -> {
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], actual.get(key)[i], 1e-6, key);
                }
            });
        }
    }

    // ---------------------------------------------------------------- gradients

    @Test
    void djlAloneAccumulatesGradientsAcrossCollectors() {
        // The behaviour that makes Adam.step zero the gradients: if DJL ever resets them itself,
        // this fails and the zeroing can be reconsidered.
        try (NDManager m = manager.newSubManager()) {
            Block block = linear(m, 5);
            backward(m, block, 0, 1);
            Map<String, float[]> once = gradients(block);
            backward(m, block, 0, 1);
            Map<String, float[]> twice = gradients(block);
            for (String key : once.keySet()) {
                for (int i = 0; i < once.get(key).length; i++) {
                    assertEquals(2 * once.get(key)[i], twice.get(key)[i], 1e-4 * Math.abs(once.get(key)[i]), key);
                }
            }
        }
    }

    @Test
    void gradientsDoNotAccumulateAcrossSteps() {
        try (NDManager m = manager.newSubManager()) {
            Block block = linear(m, 5);
            try (Adam adam = Adam.builder().build(block)) {
                backward(m, block, 0, 1);
                Map<String, float[]> first = gradients(block);
                assertTrue(adam.step(0)); // lr 0 leaves the parameters, so the same pass gives the same gradient
                gradients(block).forEach((k, g) -> assertArrayEquals(new float[g.length], g, 0f, k + " after step"));
                backward(m, block, 0, 1);
                assertSameBits(first, gradients(block));
                assertTrue(adam.step(0));
                backward(m, block, 0, 1);
                assertSameBits(first, gradients(block));
            }
        }
    }

    @Test
    void stepWorksInsideAGradientCollector() {
        try (NDManager m = manager.newSubManager()) {
            Block block = linear(m, 5);
            Map<String, float[]> before = values(block);
            try (Adam adam = Adam.builder().build(block)) {
                backward(m, block, 0, 1);
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    assertTrue(adam.step(0.1));
                }
            }
            assertFalse(
                    java.util.Arrays.equals(before.get("weight"), values(block).get("weight")));
            backward(m, block, 1, 1); // the block still trains afterwards
        }
    }

    @ParameterizedTest
    @CsvSource({"NaN", "Infinity", "-Infinity"})
    void nonFiniteGradientSkipsTheWholeStep(float bad) {
        try (NDManager m = manager.newSubManager()) {
            Block block = linear(m, 11);
            try (Adam adam = Adam.builder().weightDecay(0.1).build(block)) {
                backward(m, block, 0, 1);
                assertTrue(adam.step(0.01));
                Map<String, float[]> params = values(block);
                Map<String, float[]> state = data(adam.exportState());

                backward(m, block, 1, 1);
                try (NDArray g = block.getParameters().get("bias").getArray().getGradient()) {
                    g.set(new NDIndex("1"), bad); // writes through to the gradient itself
                }
                assertFalse(adam.step(0.01));
                assertSameBits(params, values(block));
                assertSameBits(state, data(adam.exportState()));
                assertEquals(1, adam.steps());

                // The bad gradient is consumed: the next pass starts clean and the step goes through.
                backward(m, block, 1, 1);
                gradients(block).forEach((k, g) -> assertTrue(new HostArray(g, g.length).firstNonFinite() < 0, k));
                assertTrue(adam.step(0.01));
                assertEquals(2, adam.steps());
            }
        }
    }

    @Test
    void stepsDoNotLeakArrays() {
        try (NDManager m = manager.newSubManager()) {
            Block block = linear(m, 5);
            try (Adam adam = Adam.builder().weightDecay(0.01).build(block)) {
                backward(m, block, 0, 1);
                adam.step(0.01);
                int before = ((BaseNDManager) m).getManagedArrays().size();
                for (int k = 0; k < 5; k++) {
                    backward(m, block, k, 1);
                    adam.step(0.01);
                }
                adam.exportState();
                assertEquals(before, ((BaseNDManager) m).getManagedArrays().size());
            }
        }
    }

    // ---------------------------------------------------------------- state

    @Test
    void resumingFromACheckpointIsBitIdentical() {
        Path file = dir.resolve("resume.ckpt");
        Map<String, float[]> uninterrupted;
        try (NDManager m = manager.newSubManager()) {
            Block block = linear(m, 21);
            try (Adam adam = Adam.builder().weightDecay(0.05).build(block)) {
                for (int k = 0; k < 5; k++) {
                    if (k == 3) {
                        Map<String, HostArray> tensors = new LinkedHashMap<>(ParameterIO.export(block));
                        tensors.putAll(adam.exportState());
                        Checkpoint.write(file, Map.of("step", k), tensors);
                    }
                    backward(m, block, k, 1);
                    adam.step(0.02);
                }
            }
            uninterrupted = values(block);
        }
        try (NDManager m = manager.newSubManager()) {
            Block block = linear(m, 99); // different initial values, all overwritten
            try (Adam adam = Adam.builder().weightDecay(0.05).build(block)) {
                Checkpoint checkpoint = Checkpoint.read(file);
                ParameterIO.load(block, checkpoint.tensors());
                adam.importState(checkpoint.tensors());
                assertEquals(3, adam.steps());
                for (int k = checkpoint.metadata().get("step").intValue(); k < 5; k++) {
                    backward(m, block, k, 1);
                    adam.step(0.02);
                }
            }
            assertSameBits(uninterrupted, values(block));
        }
    }

    @Test
    void exportStateNamesEveryMomentAndTheStepCount() {
        try (NDManager m = manager.newSubManager()) {
            Block block = linear(m, 5);
            try (Adam adam = Adam.builder().build(block)) {
                Map<String, HostArray> state = adam.exportState();
                assertEquals(
                        java.util.List.of("adam.m/weight", "adam.v/weight", "adam.m/bias", "adam.v/bias", "adam.t"),
                        java.util.List.copyOf(state.keySet()));
                assertArrayEquals(new int[] {3, 4}, state.get("adam.m/weight").shape());
                assertArrayEquals(new int[] {1}, state.get("adam.t").shape());
                assertEquals(0f, state.get("adam.t").data()[0]);
            }
        }
    }

    @Test
    void importStateRejectsBadStateAndChangesNothing() {
        try (NDManager m = manager.newSubManager()) {
            Block block = linear(m, 5);
            try (Adam adam = Adam.builder().build(block)) {
                backward(m, block, 0, 1);
                adam.step(0.01);
                Map<String, HostArray> good = adam.exportState();
                Map<String, float[]> before = data(good);

                assertRejected(adam, without(good, "adam.v/bias"), "missing optimizer state 'adam.v/bias'");
                assertRejected(
                        adam,
                        with(good, "adam.m/other", HostArray.zeros(3)),
                        "unexpected optimizer state 'adam.m/other'");
                assertRejected(
                        adam,
                        with(good, "adam.m/weight", HostArray.zeros(4, 3)),
                        "'adam.m/weight': expected shape [3, 4], got [4, 3]");
                assertRejected(
                        adam,
                        with(good, "adam.m/bias", new HostArray(new float[] {0, Float.NaN, 0}, 3)),
                        "'adam.m/bias': element 1 is NaN");
                assertRejected(
                        adam,
                        with(good, "adam.v/bias", new HostArray(new float[] {0, 0, -1e-3f}, 3)),
                        "'adam.v/bias': element 2 is -0.001");
                assertRejected(adam, with(good, "adam.t", new HostArray(new float[] {1.5f}, 1)), "'adam.t'");
                assertRejected(adam, with(good, "adam.t", new HostArray(new float[] {-1}, 1)), "'adam.t'");
                assertRejected(adam, with(good, "adam.t", new HostArray(new float[] {1, 1}, 2)), "'adam.t'");
                assertSameBits(before, data(adam.exportState()));
                assertEquals(1, adam.steps());

                Map<String, HostArray> withOthers = with(good, "param/weight", HostArray.zeros(1)); // ignored
                adam.importState(withOthers);
                assertEquals(1, adam.steps());
            }
        }
    }

    @Test
    void rejectsBadHyperparameters() {
        assertThrows(IllegalArgumentException.class, () -> Adam.builder().beta1(1));
        assertThrows(IllegalArgumentException.class, () -> Adam.builder().beta2(-0.1));
        assertThrows(IllegalArgumentException.class, () -> Adam.builder().epsilon(0));
        assertThrows(IllegalArgumentException.class, () -> Adam.builder().weightDecay(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Adam.builder().clip(-1));
        try (NDManager m = manager.newSubManager();
                Adam adam = Adam.builder().build(linear(m, 1))) {
            assertThrows(IllegalArgumentException.class, () -> adam.step(Double.NaN));
            assertThrows(IllegalArgumentException.class, () -> adam.step(-1e-3));
            adam.close();
            assertThrows(IllegalStateException.class, () -> adam.step(1e-3));
        }
    }

    private static void assertRejected(Adam adam, Map<String, HostArray> state, String fragment) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> adam.importState(state));
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    public static Map<String, HostArray> with(Map<String, HostArray> base, String key, HostArray value) {
        Map<String, HostArray> out = new LinkedHashMap<>(base);
        out.put(key, value);
        return out;
    }

    public static Map<String, HostArray> without(Map<String, HostArray> base, String key) {
        Map<String, HostArray> out = new LinkedHashMap<>(base);
        out.remove(key);
        return out;
    }

    private static double maxAbs(float[] v) {
        double max = 0;
        for (float x : v) {
            max = Math.max(max, Math.abs(x));
        }
        return max;
    }

    private static double[] toDoubles(float[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }
}
