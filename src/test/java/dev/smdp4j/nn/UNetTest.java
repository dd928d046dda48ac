package dev.smdp4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
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
import dev.smdp4j.util.GaussianNoise;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link UNet} and {@link UNetConfig}: shapes, MC-dropout behaviour and reproducibility, gradients, config I/O. */
class UNetTest extends EngineTest {
    private static final int N = 32;
    private static final int BATCH = 2;

    // ---------------------------------------------------------------- fixtures

    /** A UNet on one input channel, initialised for {@code [batch, 1, n, n]} from engine seed {@code seed}. */
    private static UNet network(UNetConfig config, int seed, int batch, int n) {
        Engine.getInstance().setRandomSeed(seed);
        UNet net = new UNet(config, 1);
        net.initialize(manager, DataType.FLOAT32, new Shape(batch, 1, n, n));
        return net;
    }

    private static float[] field(long seed, int batch, int n) {
        return new GaussianNoise(seed).next(batch * n * n);
    }

    /** One forward pass in a sub-manager; checks the output shape and returns the values. */
    private static float[] forward(UNet net, float[] x, int batch, int n, boolean training) {
        try (NDManager step = manager.newSubManager()) {
            NDArray in = step.create(x, new Shape(batch, 1, n, n));
            NDArray out = net.forward(new ParameterStore(step, false), new NDList(in), training)
                    .singletonOrThrow();
            assertEquals(new Shape(batch, 1, n, n), out.getShape());
            return out.toFloatArray();
        }
    }

    private static float[] forward(UNet net, float[] x) {
        return forward(net, x, BATCH, N, false);
    }

    private static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    // ---------------------------------------------------------------- 1. shapes and input checks

    @Test
    void defaultNetworkMapsAFieldToAFieldOfTheSameSize() {
        UNet net = network(UNetConfig.defaults(), 1, BATCH, N);
        net.setDropoutNoise(new GaussianNoise(1));
        float[] out = forward(net, field(2, BATCH, N));
        for (float v : out) {
            assertTrue(Float.isFinite(v));
        }
        assertEquals(new Shape(BATCH, 1, N, N), net.getOutputShapes(new Shape[] {new Shape(BATCH, 1, N, N)})[0]);
        // any multiple of 2^levels works with the same weights
        forward(net, field(3, 1, 64), 1, 64, false);
    }

    @Test
    void rejectsSizesNotDivisibleByTwoToTheLevels() {
        UNet net = network(UNetConfig.defaults(), 1, BATCH, N);
        net.setDropoutNoise(new GaussianNoise(1));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> forward(net, field(2, 1, 24), 1, 24, false));
        assertTrue(e.getMessage().contains("N = 24") && e.getMessage().contains("levels = 5"), e.getMessage());
        // 48 is divisible by 16 but not by 32
        UNet fresh = new UNet(UNetConfig.defaults(), 1);
        e = assertThrows(
                IllegalArgumentException.class,
                () -> fresh.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 48, 48)));
        assertTrue(e.getMessage().contains("N = 48"), e.getMessage());
        // wrong channel count
        try (NDManager step = manager.newSubManager()) {
            NDArray two = step.zeros(new Shape(1, 2, N, N));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> net.forward(new ParameterStore(step, false), new NDList(two), false));
        }
    }

    @Test
    void poolingAveragesAndUpsamplingRepeatsTwoByTwoBlocks() {
        try (NDManager step = manager.newSubManager()) {
            NDArray x = step.arange(16f).reshape(1, 1, 4, 4);
            assertArrayEquals(
                    new float[] {2.5f, 4.5f, 10.5f, 12.5f}, UNet.downsample(x).toFloatArray());
            NDArray small = step.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 2, 2));
            assertArrayEquals(
                    new float[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4},
                    UNet.upsample(small).toFloatArray());
            assertEquals(new Shape(1, 1, 4, 4), UNet.upsample(small).getShape());
        }
    }

    // ---------------------------------------------------------------- 2. reproducible MC dropout

    @Test
    void dropoutNoiseStreamDeterminesTheOutput() {
        UNet net = network(new UNetConfig(16, 5, 0.1), 4, BATCH, N);
        float[] x = field(5, BATCH, N);

        net.setDropoutNoise(new GaussianNoise(7));
        float[] a = forward(net, x);
        float[] next = forward(net, x); // same stream, next draws: another posterior sample
        net.setDropoutNoise(new GaussianNoise(7));
        float[] again = forward(net, x);
        net.setDropoutNoise(new GaussianNoise(8));
        float[] other = forward(net, x);
        // dropout is on regardless of DJL's training flag
        net.setDropoutNoise(new GaussianNoise(7));
        float[] trainingFlag = forward(net, x, BATCH, N, true);

        assertArrayEquals(a, again);
        assertArrayEquals(a, trainingFlag);
        assertTrue(maxAbsDiff(a, other) > 1e-4, "different seeds gave the same output");
        assertTrue(maxAbsDiff(a, next) > 1e-4, "successive passes gave the same output");
    }

    @Test
    void dropoutNeedsANoiseSourceUnlessItIsZero() {
        UNet net = network(new UNetConfig(4, 2, 0.1), 1, 1, 8);
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> forward(net, field(1, 1, 8), 1, 8, false));
        assertTrue(e.getMessage().contains("setDropoutNoise"), e.getMessage());

        UNet deterministic = network(new UNetConfig(4, 2, 0), 1, 1, 8);
        float[] x = field(1, 1, 8);
        assertArrayEquals(forward(deterministic, x, 1, 8, false), forward(deterministic, x, 1, 8, true));
    }

    // ---------------------------------------------------------------- 3. MC spread vs dropout rate

    /** Mean over pixels of the standard deviation across 16 MC-dropout passes on one input. */
    private static double mcSpread(double p) {
        UNet net = network(new UNetConfig(16, 5, p), 11, BATCH, N); // same weights for every p
        net.setDropoutNoise(new GaussianNoise(13));
        float[] x = field(17, BATCH, N);
        int passes = 16;
        float[][] outs = new float[passes][];
        for (int k = 0; k < passes; k++) {
            outs[k] = forward(net, x);
        }
        double total = 0;
        for (int i = 0; i < outs[0].length; i++) {
            double mean = 0;
            for (float[] o : outs) {
                mean += o[i];
            }
            mean /= passes;
            double var = 0;
            for (float[] o : outs) {
                var += (o[i] - mean) * (o[i] - mean);
            }
            total += Math.sqrt(var / (passes - 1));
        }
        return total / outs[0].length;
    }

    @Test
    void monteCarloSpreadShrinksWithTheDropoutRate() {
        double s30 = mcSpread(0.3);
        double s10 = mcSpread(0.1);
        double s01 = mcSpread(0.01);
        double s00 = mcSpread(0);
        String report = "spread at p = 0.3, 0.1, 0.01, 0: " + s30 + ", " + s10 + ", " + s01 + ", " + s00;
        assertTrue(s30 > 1e-3, "the network output is (nearly) constant: " + report);
        assertTrue(s30 > s10 && s10 > s01 && s01 > 0, report);
        assertEquals(0.0, s00, report);
    }

    // ---------------------------------------------------------------- 4. channel-wise dropout

    @Test
    void dropoutZeroesOrRescalesWholeChannelPlanes() {
        double p = 0.25;
        UNet net = new UNet(new UNetConfig(2, 1, p), 1); // the helper needs no initialised weights
        net.setDropoutNoise(new GaussianNoise(21));
        int b = 8;
        int c = 16;
        int h = 3;
        int w = 5;
        int draws = 50;
        float scale = (float) (1 / (1 - p));
        long kept = 0;
        int mixedItems = 0; // items with both kept and dropped channels: the mask is not per item
        int itemsDisagree = 0; // (draw, channel) where items differ: the mask is not shared over the batch
        for (int d = 0; d < draws; d++) {
            float[] v;
            try (NDManager step = manager.newSubManager()) {
                v = net.spatialDropout(step.ones(new Shape(b, c, h, w))).toFloatArray();
            }
            boolean[][] keep = new boolean[b][c];
            for (int plane = 0; plane < b * c; plane++) {
                float first = v[plane * h * w];
                assertTrue(first == 0f || Math.abs(first - scale) < 1e-6, "plane value " + first);
                for (int j = 1; j < h * w; j++) {
                    assertEquals(first, v[plane * h * w + j], "plane " + plane + " is not uniform");
                }
                keep[plane / c][plane % c] = first != 0f;
                kept += first != 0f ? 1 : 0;
            }
            for (boolean[] item : keep) {
                int k = 0;
                for (boolean x : item) {
                    k += x ? 1 : 0;
                }
                mixedItems += k > 0 && k < c ? 1 : 0;
            }
            for (int ch = 0; ch < c; ch++) {
                for (int i = 1; i < b; i++) {
                    if (keep[i][ch] != keep[0][ch]) {
                        itemsDisagree++;
                        break;
                    }
                }
            }
        }
        long total = (long) draws * b * c;
        double sigma = Math.sqrt(total * p * (1 - p));
        assertEquals((1 - p) * total, kept, 4 * sigma, "kept planes out of " + total);
        assertTrue(mixedItems > draws * b / 2, "mixed items " + mixedItems);
        assertTrue(itemsDisagree > draws * c / 2, "channels with disagreeing items " + itemsDisagree);
    }

    @Test
    void zeroDropoutIsTheIdentity() {
        UNet net = new UNet(new UNetConfig(2, 1, 0), 1);
        try (NDManager step = manager.newSubManager()) {
            NDArray x = step.ones(new Shape(2, 3, 4, 4));
            assertSame(x, net.spatialDropout(x));
        }
    }

    // ---------------------------------------------------------------- 5. gradients

    @Test
    void everyParameterReceivesAGradient() {
        UNet net = network(UNetConfig.defaults(), 3, BATCH, N);
        net.setDropoutNoise(new GaussianNoise(9));
        // a fresh block: no earlier backward pass has accumulated into the gradients
        assertEquals(2 * (2 * 5 + 2 + 2 * 5 + 1), net.getParameters().size(), "weight and bias of 23 convolutions");
        try (NDManager step = manager.newSubManager()) {
            NDArray x = step.create(field(19, BATCH, N), new Shape(BATCH, 1, N, N));
            NDArray target = step.create(field(23, BATCH, N), new Shape(BATCH, 1, N, N));
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray out = net.forward(new ParameterStore(step, false), new NDList(x), true)
                        .singletonOrThrow();
                collector.backward(out.add(x).sub(target).square().mean());
            }
            for (Pair<String, Parameter> p : net.getParameters()) {
                float[] g = p.getValue().getArray().getGradient().toFloatArray();
                double norm = 0;
                for (float v : g) {
                    assertTrue(Float.isFinite(v), p.getKey() + " has a non-finite gradient");
                    norm += (double) v * v;
                }
                assertTrue(norm > 0, p.getKey() + " has a zero gradient");
            }
        }
    }

    // ---------------------------------------------------------------- 6. configuration

    @Test
    void configRoundTripsThroughAMap() {
        for (UNetConfig c : List.of(UNetConfig.defaults(), new UNetConfig(3, 2, 0), new UNetConfig(8, 7, 0.5))) {
            Map<String, Object> m = c.toMap();
            assertEquals("unet", m.get("architecture"));
            assertEquals(c, NetworkConfig.fromMap(m));
        }
        // numbers as a JSON parser may produce them
        Map<String, Object> json =
                new HashMap<>(Map.of("architecture", "unet", "width", 16L, "levels", 5.0, "dropout", 0.1));
        assertEquals(UNetConfig.defaults(), NetworkConfig.fromMap(json));
        assertEquals(new UNetConfig(16, 5, 0.1), UNetConfig.defaults());
        assertTrue(UNetConfig.defaults().toString().contains("width 16"));
    }

    @Test
    void configRejectsInvalidValuesAndDescriptions() {
        assertTrue(assertThrows(InvalidInputException.class, () -> new UNetConfig(0, 5, 0.1))
                .getMessage()
                .contains("width"));
        assertTrue(assertThrows(InvalidInputException.class, () -> new UNetConfig(16, 0, 0.1))
                .getMessage()
                .contains("levels"));
        assertThrows(InvalidInputException.class, () -> new UNetConfig(16, 31, 0.1));
        for (double bad : new double[] {-0.1, 1.0, 1.5, Double.NaN}) {
            assertTrue(
                    assertThrows(InvalidInputException.class, () -> new UNetConfig(16, 5, bad))
                            .getMessage()
                            .contains("dropout"),
                    "dropout " + bad);
        }
        new UNetConfig(1, 1, 0.0); // the boundaries that are allowed
        new UNetConfig(1, 30, 0.999);

        Map<String, Object> m = UNetConfig.defaults().toMap();
        m.remove("levels");
        assertTrue(assertThrows(InvalidInputException.class, () -> NetworkConfig.fromMap(m))
                .getMessage()
                .contains("levels"));
        Map<String, Object> fractional = UNetConfig.defaults().toMap();
        fractional.put("width", 16.5);
        assertThrows(InvalidInputException.class, () -> NetworkConfig.fromMap(fractional));
        Map<String, Object> other = UNetConfig.defaults().toMap();
        other.put("architecture", "score-net");
        assertTrue(assertThrows(InvalidInputException.class, () -> NetworkConfig.fromMap(other))
                .getMessage()
                .contains("score-net"));
        Map<String, Object> badDropout = UNetConfig.defaults().toMap();
        badDropout.put("dropout", 1);
        assertThrows(InvalidInputException.class, () -> NetworkConfig.fromMap(badDropout));
    }

    @Test
    void channelsDoubleUpToTheCapAndFlopsMatchAHandCount() {
        UNetConfig d = UNetConfig.defaults();
        int[] channels = new int[d.levels() + 1];
        for (int l = 0; l <= d.levels(); l++) {
            channels[l] = d.channels(l);
        }
        assertArrayEquals(new int[] {16, 32, 64, 128, 128, 128}, channels);
        assertEquals(32, d.sizeMultiple());

        // width 1, one level, N = 2, one input channel: channels 1 (level 0) and 2 (bottleneck).
        // encoder 1->1, 1->1 on 4 px; bottleneck 1->2, 2->2 on 1 px; decoder (2+1)->1, 1->1 on 4 px; 1x1 out.
        long expected = 2 * 9 * (1 * 1 * 4 + 1 * 1 * 4 + 1 * 2 + 2 * 2 + 3 * 1 * 4 + 1 * 1 * 4) + 2 * 4;
        assertEquals(expected, new UNetConfig(1, 1, 0).flopsPerSample(2, 1));
        assertThrows(IllegalArgumentException.class, () -> d.flopsPerSample(24, 1));
    }
}
