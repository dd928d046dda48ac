package dev.smdp4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.Pair;
import dev.smdp4j.EngineTest;
import dev.smdp4j.TestFourier;
import dev.smdp4j.io.InvalidInputException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Fourier neural operator: the spectral convolution against a direct double-precision DFT on
 * the host, its resolution independence on band-limited fields, the whole network's shapes at two
 * resolutions, its input gradient against finite differences, and the configuration.
 */
class FnoTest extends EngineTest {

    // ------------------------------------------------------------------ whole network

    @Test
    void forwardShapesAtTwoResolutionsWithTheSameParameters() {
        FnoConfig config = FnoConfig.defaults();
        try (NDManager m = manager.newSubManager()) {
            Engine.getInstance().setRandomSeed(11);
            Fno2d fno = config.build(1);
            fno.initialize(m, DataType.FLOAT32, new Shape(2, 1, 32, 32));

            // the parameters do not depend on N: count them from the architecture
            long w = config.width();
            long expected = (1 + 2) * w
                    + w // lifting
                    + config.layers()
                            * (2 * w * w * 2L * config.modes() * config.modes() // spectral, re + im
                                    + w * w
                                    + w) // pointwise path
                    + w * config.projection()
                    + config.projection()
                    + config.projection()
                    + 1;
            long count = 0;
            for (Pair<String, Parameter> p : fno.getParameters()) {
                assertEquals(DataType.FLOAT32, p.getValue().getArray().getDataType(), p.getKey());
                count += p.getValue().getArray().size();
            }
            assertEquals(expected, count);

            Map<String, float[]> before = values(fno);
            for (int n : new int[] {32, 64}) {
                try (NDManager step = m.newSubManager()) {
                    NDArray x = step.create(gaussian(new Random(n), 2 * n * n), new Shape(2, 1, n, n));
                    NDArray y = fno.forward(new ParameterStore(step, false), new NDList(x), false)
                            .singletonOrThrow();
                    assertEquals(new Shape(2, 1, n, n), y.getShape());
                    assertEquals(new Shape(2, 1, n, n), fno.getOutputShapes(new Shape[] {x.getShape()})[0]);
                    float[] out = y.toFloatArray();
                    double max = 0;
                    for (float v : out) {
                        assertTrue(Float.isFinite(v), "N = " + n + ": non-finite output");
                        max = Math.max(max, Math.abs(v));
                    }
                    assertTrue(max > 0, "N = " + n + ": output identically zero");
                }
            }
            Map<String, float[]> after = values(fno);
            for (String key : before.keySet()) {
                assertArrayEquals(before.get(key), after.get(key), key);
            }
            try (NDManager step = m.newSubManager()) {
                NDArray small = step.zeros(new Shape(1, 1, 16, 16)); // 12 modes need N >= 24
                assertThrows(
                        IllegalArgumentException.class,
                        () -> fno.forward(new ParameterStore(step, false), new NDList(small), false));
                NDArray twoChannels = step.zeros(new Shape(1, 2, 32, 32));
                assertThrows(
                        IllegalArgumentException.class,
                        () -> fno.forward(new ParameterStore(step, false), new NDList(twoChannels), false));
            }
        }
    }

    /**
     * The input gradient of {@code L(x) = sum(fno(x) * r)} against central differences, and a
     * non-zero, finite gradient for every parameter (a detached branch, e.g. the spectral path, would
     * show as a zero). Tolerance: float32 evaluations of {@code L} (64 outputs of order 1 weighted
     * by {@code r}, summed on the host in double) carry a rounding error of about {@code 2e-6}
     * (measured: the difference quotient scatters by {@code 3e-4} at {@code h = 3e-3}), so with
     * {@code h = 1e-2} the quotient is accurate to about {@code 2e-6 / (2 h) = 1e-4} from rounding
     * plus {@code h^2 |L'''| / 6}, about {@code 6e-5} here (GELU is smooth). We allow {@code 2e-2}
     * relative plus {@code 5e-4} absolute (observed: below {@code 2e-4}) on entries with
     * {@code |dL/dx| >= 5e-2}, so an error of a few percent in the backward pass fails.
     */
    @Test
    void inputGradientMatchesFiniteDifferencesAndEveryParameterLearns() {
        int n = 8;
        FnoConfig config = new FnoConfig(2, 4, 1, 8);
        Shape shape = new Shape(1, 1, n, n);
        Random random = new Random(3);
        float[] x0 = gaussian(random, n * n);
        float[] r = gaussian(random, n * n);
        try (NDManager m = manager.newSubManager()) {
            Engine.getInstance().setRandomSeed(5);
            Fno2d fno = new Fno2d(config, 1);
            fno.initialize(m, DataType.FLOAT32, shape);
            float[] gradient;
            try (NDManager step = m.newSubManager()) {
                NDArray x = step.create(x0, shape);
                x.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray out = fno.forward(new ParameterStore(step, false), new NDList(x), true)
                            .singletonOrThrow();
                    gc.backward(out.mul(step.create(r, shape)).sum());
                }
                gradient = x.getGradient().toFloatArray();
                for (Pair<String, Parameter> p : fno.getParameters()) {
                    float[] g = p.getValue().getArray().getGradient().toFloatArray();
                    double max = 0;
                    for (float v : g) {
                        assertTrue(Float.isFinite(v), p.getKey() + ": non-finite gradient");
                        max = Math.max(max, Math.abs(v));
                    }
                    assertTrue(max > 0, p.getKey() + ": zero gradient");
                }
            }
            double h = 1e-2;
            int checked = 0;
            for (int trial = 0; checked < 6 && trial < 64; trial++) {
                int i = random.nextInt(n * n);
                if (Math.abs(gradient[i]) < 5e-2) {
                    continue;
                }
                double plus = loss(fno, m, perturbed(x0, i, h), r, shape);
                double minus = loss(fno, m, perturbed(x0, i, -h), r, shape);
                double fd = (plus - minus) / (2 * h);
                assertEquals(fd, gradient[i], 2e-2 * Math.abs(fd) + 5e-4, "entry " + i);
                checked++;
            }
            assertEquals(6, checked, "too few gradient entries of a testable size");
        }
    }

    // ------------------------------------------------------------------ spectral convolution

    @Test
    void identityWeightsAreTheLowPassFilterOfTheKeptModes() {
        // modes 5 < N/2 (row N - 5 kept without its partner +5) and modes N/2 (all rows kept)
        for (int modes : new int[] {5, 8}) {
            int n = 16;
            try (NDManager m = manager.newSubManager()) {
                SpectralConv2d layer = new SpectralConv2d(1, 1, modes);
                layer.weightReal().setInitializer(Initializer.ONES);
                layer.weightImag().setInitializer(Initializer.ZEROS);
                Shape shape = new Shape(2, 1, n, n);
                layer.initialize(m, DataType.FLOAT32, shape);
                float[] x = gaussian(new Random(modes), 2 * n * n);
                float[] out = layer.forward(new ParameterStore(m, false), new NDList(m.create(x, shape)), false)
                        .singletonOrThrow()
                        .toFloatArray();
                double[] expected = reference(x, 2, 1, 1, n, modes, new float[] {}, new float[] {}, true);
                assertEquals(0, maxAbsDiff(out, expected), 1e-4, "modes " + modes);
            }
        }
    }

    @Test
    void randomComplexWeightsMixTheChannelsOnEveryKeptMode() {
        int n = 12;
        int modes = 3;
        int cin = 2;
        int cout = 3;
        try (NDManager m = manager.newSubManager()) {
            Engine.getInstance().setRandomSeed(7);
            SpectralConv2d layer = new SpectralConv2d(cin, cout, modes);
            Shape shape = new Shape(2, cin, n, n);
            layer.initialize(m, DataType.FLOAT32, shape);
            float[] wr = layer.weightReal().getArray().toFloatArray();
            float[] wi = layer.weightImag().getArray().toFloatArray();
            assertEquals(
                    new Shape(cin, cout, 2 * modes, modes),
                    layer.weightReal().getArray().getShape());
            float scale = 1f / (cin * cout); // Li et al.: uniform[0, 1) / (C_in C_out), both parts
            for (float[] w : new float[][] {wr, wi}) {
                double min = Double.MAX_VALUE;
                double max = -Double.MAX_VALUE;
                for (float v : w) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
                assertTrue(min >= 0 && max < scale && max - min > 0.5 * scale, "init range " + min + ".." + max);
            }
            assertTrue(maxAbsDiff(wr, toDouble(wi)) > 0, "real and imaginary parts drawn independently");
            Engine.getInstance().setRandomSeed(7); // the engine seed fixes the initialisation
            SpectralConv2d again = new SpectralConv2d(cin, cout, modes);
            again.initialize(m, DataType.FLOAT32, shape);
            assertArrayEquals(wr, again.weightReal().getArray().toFloatArray());
            assertArrayEquals(wi, again.weightImag().getArray().toFloatArray());

            float[] x = gaussian(new Random(8), 2 * cin * n * n);
            float[] out = layer.forward(new ParameterStore(m, false), new NDList(m.create(x, shape)), false)
                    .singletonOrThrow()
                    .toFloatArray();
            double[] expected = reference(x, 2, cin, cout, n, modes, wr, wi, false);
            assertEquals(0, maxAbsDiff(out, expected), 1e-4);
        }
    }

    @Test
    void onBandLimitedFieldsTheLayerIsResolutionIndependent() {
        int modes = 4;
        int cin = 2;
        int cout = 3;
        int batch = 2;
        Random random = new Random(21);
        // per (batch, channel): four terms a cos(2 pi k.x) + b sin(2 pi k.x) with |k_x|, |k_y| < modes
        int terms = 4;
        double[][] waves = new double[batch * cin * terms][];
        for (int t = 0; t < waves.length; t++) {
            waves[t] = new double[] {
                random.nextInt(2 * modes - 1) - (modes - 1),
                random.nextInt(2 * modes - 1) - (modes - 1),
                random.nextGaussian(),
                random.nextGaussian()
            };
        }
        try (NDManager m = manager.newSubManager()) {
            Engine.getInstance().setRandomSeed(9);
            SpectralConv2d layer = new SpectralConv2d(cin, cout, modes);
            layer.initialize(m, DataType.FLOAT32, new Shape(batch, cin, 32, 32));
            float[][] outputs = new float[2][];
            for (int level = 0; level < 2; level++) {
                int n = 32 << level;
                float[] x = new float[batch * cin * n * n];
                for (int bc = 0; bc < batch * cin; bc++) {
                    for (int t = 0; t < terms; t++) {
                        double[] wave = waves[bc * terms + t];
                        for (int row = 0; row < n; row++) {
                            for (int col = 0; col < n; col++) {
                                double phase = 2 * Math.PI * (wave[0] * col + wave[1] * row) / n;
                                x[(bc * n + row) * n + col] +=
                                        (float) (wave[2] * Math.cos(phase) + wave[3] * Math.sin(phase));
                            }
                        }
                    }
                }
                outputs[level] = layer.forward(
                                new ParameterStore(m, false),
                                new NDList(m.create(x, new Shape(batch, cin, n, n))),
                                false)
                        .singletonOrThrow()
                        .toFloatArray();
            }
            float[] coarse = outputs[0];
            float[] fine = outputs[1];
            double maxDiff = 0;
            double maxValue = 0;
            for (int bo = 0; bo < batch * cout; bo++) {
                for (int row = 0; row < 32; row++) {
                    for (int col = 0; col < 32; col++) {
                        float a = coarse[(bo * 32 + row) * 32 + col];
                        float b = fine[(bo * 64 + 2 * row) * 64 + 2 * col];
                        maxDiff = Math.max(maxDiff, Math.abs(a - b));
                        maxValue = Math.max(maxValue, Math.abs(a));
                    }
                }
            }
            assertTrue(maxValue > 0.1, "output too small to compare: " + maxValue);
            assertEquals(0, maxDiff, 1e-4);

            NDArray tooSmall = m.zeros(new Shape(1, cin, 6, 6)); // 4 modes need N >= 8
            assertThrows(
                    IllegalArgumentException.class,
                    () -> layer.forward(new ParameterStore(m, false), new NDList(tooSmall), false));
        }
        assertThrows(IllegalArgumentException.class, () -> new SpectralConv2d(0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new SpectralConv2d(1, 1, 0));
    }

    // ------------------------------------------------------------------ configuration

    @Test
    void configRoundTripsThroughItsMapAndRejectsInvalidValues() {
        FnoConfig defaults = FnoConfig.defaults();
        assertEquals(new FnoConfig(12, 20, 4, 128), defaults);
        Map<String, Object> map = defaults.toMap();
        assertEquals(Map.of("architecture", "fno", "modes", 12, "width", 20, "layers", 4, "projection", 128), map);
        assertEquals(defaults, NetworkConfig.fromMap(map));
        FnoConfig small = new FnoConfig(2, 4, 1, 8);
        assertEquals(small, NetworkConfig.fromMap(small.toMap()));
        // as parsed from JSON: other boxed numbers
        assertEquals(
                small,
                NetworkConfig.fromMap(
                        Map.of("architecture", "fno", "modes", 2L, "width", 4.0, "layers", 1, "projection", 8L)));
        assertEquals(24, defaults.minimumGrid());
        assertTrue(defaults.toString().contains("modes 12"));
        assertTrue(defaults.build(1) instanceof Fno2d);

        for (int[] bad :
                new int[][] {{0, 20, 4, 128}, {12, 0, 4, 128}, {12, 20, 0, 128}, {12, 20, 4, 0}, {-1, 20, 4, 128}}) {
            InvalidInputException e =
                    assertThrows(InvalidInputException.class, () -> new FnoConfig(bad[0], bad[1], bad[2], bad[3]));
            assertTrue(e.getMessage().contains("FNO"), e.getMessage());
        }
        for (Map<String, Object> bad : List.of(
                with(map, "modes", null),
                with(map, "width", 20.5),
                with(map, "layers", "4"),
                with(map, "projection", 0),
                with(map, "architecture", "unet"),
                with(map, "modes", 1e12))) {
            assertThrows(InvalidInputException.class, () -> NetworkConfig.fromMap(bad), String.valueOf(bad));
        }
        assertThrows(InvalidInputException.class, () -> NetworkConfig.fromMap(null));
    }

    @Test
    void flopsCountThePointwiseLayersTheModeMixingAndTheFfts() {
        FnoConfig config = new FnoConfig(2, 4, 1, 8);
        long perPixel = 2 * 3 * 4 + 2 * 4 * 4 + 2 * 4 * 8 + 2 * 8; // lift, pointwise, projection
        long spectral = 8 * 4 * 4 * (2 * 2 * 2); // 8 width^2 per kept mode
        long fft = Math.round(2 * 4 * 2.5 * 64 * 6); // 2 transforms x width x 2.5 N^2 log2 N^2
        assertEquals(perPixel * 64 + spectral + fft, config.flopsPerSample(8, 1));
        assertTrue(FnoConfig.defaults().flopsPerSample(64, 1)
                > FnoConfig.defaults().flopsPerSample(32, 1));
        assertThrows(IllegalArgumentException.class, () -> config.flopsPerSample(3, 1));
    }

    // ------------------------------------------------------------------ helpers

    /**
     * The spectral convolution computed directly on the host in double precision: DFT coefficients
     * of the kept modes (rows {@code 0..modes-1} and {@code N-modes..N-1}, columns {@code 0..modes-1}),
     * channel mixing with the complex weights (or the identity), and the real inverse transform that
     * supplies the conjugate partners of the columns {@code v > 0} and keeps the real part of
     * column 0: {@code N^-2 sum c_v Re(Y[u, v] exp(2 pi i (u r + v c) / N))}, {@code c_0 = 1},
     * {@code c_v = 2}.
     */
    private static double[] reference(
            float[] x, int batch, int cin, int cout, int n, int modes, float[] wr, float[] wi, boolean identity) {
        int[] rows = new int[2 * modes];
        for (int j = 0; j < 2 * modes; j++) {
            rows[j] = j < modes ? j : n - 2 * modes + j;
        }
        double[] out = new double[batch * cout * n * n];
        for (int b = 0; b < batch; b++) {
            double[][][][] spectrum = new double[cin][2 * modes][modes][];
            for (int i = 0; i < cin; i++) {
                for (int j = 0; j < 2 * modes; j++) {
                    for (int v = 0; v < modes; v++) {
                        spectrum[i][j][v] = TestFourier.mode(x, (b * cin + i) * n * n, n, v, rows[j]);
                    }
                }
            }
            for (int o = 0; o < cout; o++) {
                for (int j = 0; j < 2 * modes; j++) {
                    for (int v = 0; v < modes; v++) {
                        double re = 0;
                        double im = 0;
                        for (int i = 0; i < cin; i++) {
                            int w = ((i * cout + o) * 2 * modes + j) * modes + v;
                            double a = spectrum[i][j][v][0];
                            double c = spectrum[i][j][v][1];
                            double p = identity ? 1 : wr[w];
                            double q = identity ? 0 : wi[w];
                            re += a * p - c * q;
                            im += a * q + c * p;
                        }
                        double weight = (v == 0 ? 1.0 : 2.0) / ((double) n * n);
                        for (int r = 0; r < n; r++) {
                            for (int col = 0; col < n; col++) {
                                double phase = 2 * Math.PI * ((double) rows[j] * r + (double) v * col) / n;
                                out[((b * cout + o) * n + r) * n + col] +=
                                        weight * (re * Math.cos(phase) - im * Math.sin(phase));
                            }
                        }
                    }
                }
            }
        }
        return out;
    }

    private static double loss(Block block, NDManager parent, float[] x, float[] r, Shape shape) {
        try (NDManager step = parent.newSubManager()) {
            float[] out = block.forward(new ParameterStore(step, false), new NDList(step.create(x, shape)), false)
                    .singletonOrThrow()
                    .toFloatArray();
            double sum = 0;
            for (int i = 0; i < out.length; i++) {
                sum += (double) out[i] * r[i];
            }
            return sum;
        }
    }

    private static float[] perturbed(float[] x, int i, double h) {
        float[] y = x.clone();
        y[i] = (float) (y[i] + h);
        return y;
    }

    private static float[] gaussian(Random random, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    private static double[] toDouble(float[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = x[i];
        }
        return y;
    }

    private static double maxAbsDiff(float[] actual, double[] expected) {
        assertEquals(expected.length, actual.length);
        double max = 0;
        for (int i = 0; i < actual.length; i++) {
            max = Math.max(max, Math.abs(actual[i] - expected[i]));
        }
        return max;
    }

    private static Map<String, Object> with(Map<String, Object> map, String key, Object value) {
        Map<String, Object> copy = new HashMap<>(map);
        copy.put(key, value);
        return copy;
    }

    private static Map<String, float[]> values(Block block) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            out.put(p.getKey(), p.getValue().getArray().toFloatArray());
        }
        return out;
    }
}
