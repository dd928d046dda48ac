package dev.smdp4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.smdp4j.EngineTest;
import dev.smdp4j.util.GaussianNoise;
import org.junit.jupiter.api.Test;

/** CircularConv against a periodic convolution computed on the host, and the engine faults it works around. */
class CircularConvTest extends EngineTest {

    /** Direct periodic cross-correlation in double precision. */
    private static double[] reference(
            float[] x, float[] w, float[] b, int batch, int in, int out, int n, int k, int dil) {
        double[] y = new double[batch * out * n * n];
        int r = dil * (k - 1) / 2;
        for (int bi = 0; bi < batch; bi++) {
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        double s = b[o];
                        for (int c = 0; c < in; c++) {
                            for (int u = 0; u < k; u++) {
                                for (int v = 0; v < k; v++) {
                                    int ii = Math.floorMod(i + u * dil - r, n);
                                    int jj = Math.floorMod(j + v * dil - r, n);
                                    s += w[((o * in + c) * k + u) * k + v] * x[((bi * in + c) * n + ii) * n + jj];
                                }
                            }
                        }
                        y[((bi * out + o) * n + i) * n + j] = s;
                    }
                }
            }
        }
        return y;
    }

    /**
     * Channel counts whose plain libtorch convolution gives NaN on some CPUs (input channels 20,
     * 24, 40; output channels not a multiple of 16; reproduced with engine-allocated data on an
     * AVX-512 machine: docs/RELIABILITY.md, "Convolution NaNs"): through the channel padding,
     * repeated passes stay finite and equal the host convolution.
     */
    @Test
    void matchesThePeriodicConvolutionAndStaysFiniteForAwkwardChannelCounts() {
        int[][] cases = {{20, 20, 1}, {24, 8, 2}, {40, 1, 1}, {3, 32, 4}};
        for (int[] c : cases) {
            int in = c[0];
            int out = c[1];
            int dil = c[2];
            int n = 10;
            for (int trial = 0; trial < 12; trial++) {
                try (NDManager s = manager.newSubManager()) {
                    CircularConv conv = new CircularConv(out, 3, dil);
                    conv.initialize(s, DataType.FLOAT32, new Shape(2, in, n, n));
                    NDArray x = new GaussianNoise(trial).next(s, new Shape(2, in, n, n));
                    x.setRequiresGradient(true);
                    NDArray y;
                    try (var gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                        y = conv.forward(new ParameterStore(s, false), new NDList(x), true)
                                .singletonOrThrow();
                        gc.backward(y.square().sum());
                    }
                    assertFalse(y.isNaN().any().getBoolean(), "NaN output, channels " + in + " -> " + out);
                    assertFalse(
                            x.getGradient().isNaN().any().getBoolean(), "NaN gradient, channels " + in + " -> " + out);
                    if (trial == 0) {
                        float[] w = conv.conv()
                                .getParameters()
                                .get("weight")
                                .getArray()
                                .toFloatArray();
                        float[] b = conv.conv()
                                .getParameters()
                                .get("bias")
                                .getArray()
                                .toFloatArray();
                        double[] expected = reference(x.toFloatArray(), w, b, 2, in, out, n, 3, dil);
                        float[] actual = y.toFloatArray();
                        assertEquals(expected.length, actual.length);
                        for (int i = 0; i < actual.length; i++) {
                            assertEquals(expected[i], actual[i], 1e-4 * (1 + Math.abs(expected[i])));
                        }
                    }
                }
            }
        }
    }

    /**
     * A forward+backward pass leaves nothing in the parameters' manager: the padded copies of the
     * weight (input 20 -> padded 32 channels, output 1 -> padded 16) are created from the
     * parameters, whose manager would own them for the rest of the run (a leak of about 1 MB per
     * SMDP training step, and GBs of heap fragmentation over a run, before it was fixed).
     */
    @Test
    void passesLeaveNothingInTheParametersManager() {
        for (int[] c : new int[][] {{20, 20}, {32, 1}, {40, 1}}) {
            try (NDManager params = manager.newSubManager()) {
                CircularConv conv = new CircularConv(c[1], 3, 1);
                conv.initialize(params, DataType.FLOAT32, new Shape(2, c[0], 8, 8));
                int before = params.getManagedArrays().size();
                for (int pass = 0; pass < 3; pass++) {
                    try (NDManager step = params.newSubManager();
                            var gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                        NDArray x = new GaussianNoise(pass).next(step, new Shape(2, c[0], 8, 8));
                        gc.backward(conv.forward(new ParameterStore(step, false), new NDList(x), true)
                                .singletonOrThrow()
                                .square()
                                .sum());
                    }
                }
                assertEquals(
                        before,
                        params.getManagedArrays().size(),
                        "arrays left behind, channels " + c[0] + " -> " + c[1]);
            }
        }
    }
    /**
     * One small field (the case libtorch would send to its NNPACK check, which logs a warning at
     * every call on CPUs NNPACK does not support) goes through the engine as two, and the result is
     * still the host convolution of that one field, with and without the channel padding, with
     * gradients recorded or not.
     */
    @Test
    void oneSmallFieldIsConvolvedAsPartOfTwo() {
        int n = 10;
        for (int[] c : new int[][] {{3, 32}, {3, 1}, {20, 16}}) {
            for (boolean training : new boolean[] {false, true}) {
                try (NDManager s = manager.newSubManager()) {
                    CircularConv conv = new CircularConv(c[1], 3, 2);
                    conv.initialize(s, DataType.FLOAT32, new Shape(1, c[0], n, n));
                    NDArray x = new GaussianNoise(c[0] + c[1]).next(s, new Shape(1, c[0], n, n));
                    assertEquals(
                            new Shape(2, c[0], n, n), CircularConv.batchable(x).getShape());
                    NDArray y;
                    try (var gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
                        x.setRequiresGradient(training);
                        y = conv.forward(new ParameterStore(s, false), new NDList(x), training)
                                .singletonOrThrow();
                        if (training) {
                            gc.backward(y.sum());
                        }
                    }
                    assertEquals(new Shape(1, c[1], n, n), y.getShape());
                    if (training) {
                        assertFalse(x.getGradient().isNaN().any().getBoolean());
                    }
                    float[] w =
                            conv.conv().getParameters().get("weight").getArray().toFloatArray();
                    float[] b =
                            conv.conv().getParameters().get("bias").getArray().toFloatArray();
                    double[] expected = reference(x.toFloatArray(), w, b, 1, c[0], c[1], n, 3, 2);
                    float[] actual = y.toFloatArray();
                    for (int i = 0; i < actual.length; i++) {
                        assertEquals(expected[i], actual[i], 1e-4 * (1 + Math.abs(expected[i])));
                    }
                }
            }
        }
        try (NDManager s = manager.newSubManager()) {
            NDArray large = s.zeros(new Shape(1, 32, 34, 34)); // over the threshold: left as it is
            assertEquals(large.getShape(), CircularConv.batchable(large).getShape());
            NDArray two = s.zeros(new Shape(2, 3, 4, 4));
            assertEquals(two.getShape(), CircularConv.batchable(two).getShape());
        }
    }
}
