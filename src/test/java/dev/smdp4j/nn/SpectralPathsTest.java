package dev.smdp4j.nn;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.smdp4j.EngineTest;
import dev.smdp4j.util.EngineArrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The spectral convolution's two evaluations, FFTs of the whole grid (checked against a direct
 * DFT in {@link FnoTest}) and {@link ModeBasis} matrix products, give the same values and the same
 * gradients for the input and both weight arrays, and so does the high-pass; including grids where
 * the layer itself would choose the FFTs, and N = 2 modes, where every row is kept.
 */
class SpectralPathsTest extends EngineTest {

    @Test
    void matrixProductsAndFftsAgreeInValuesAndGradients() {
        int[][] cases = {{32, 4, 36, 1}, {16, 2, 3, 2}, {12, 3, 2, 3}, {8, 4, 2, 2}, {9, 2, 1, 1}};
        for (int[] c : cases) {
            int n = c[0];
            int modes = c[1];
            int in = c[2];
            int out = c[3];
            String label = "N " + n + ", modes " + modes + ", channels " + in + " -> " + out;
            Random random = new Random(n * 31 + modes);
            try (NDManager m = manager.newSubManager()) {
                SpectralConv2d layer = new SpectralConv2d(in, out, modes);
                Shape shape = new Shape(3, in, n, n);
                layer.initialize(m, DataType.FLOAT32, shape);
                NDArray x = EngineArrays.of(m, gaussian(random, (int) shape.size()), shape);
                Shape wShape = new Shape(in, out, 2L * modes, modes);
                NDArray wr = EngineArrays.of(m, gaussian(random, (int) wShape.size()), wShape);
                NDArray wi = EngineArrays.of(m, gaussian(random, (int) wShape.size()), wShape);
                NDArray g = EngineArrays.of(m, gaussian(random, 3 * out * n * n), new Shape(3, out, n, n));
                float[][] fft = run(x, wr, wi, g, (a, b, d) -> layer.forwardByFft(a, b, d, n));
                float[][] mat = run(x, wr, wi, g, (a, b, d) -> layer.forwardByMatrices(a, b, d, n));
                for (int i = 0; i < fft.length; i++) {
                    assertClose(
                            fft[i],
                            mat[i],
                            label + ", "
                                    + new String[] {
                                                "output",
                                                "input gradient",
                                                "real-weight gradient",
                                                "imaginary-weight gradient"
                                            }
                                            [i]);
                }
                NDArray h = EngineArrays.of(m, gaussian(random, 2 * out * n * n), new Shape(2, out, n, n));
                assertClose(
                        layer.highPassByFft(h, n).toFloatArray(),
                        layer.highPassByMatrices(h, n).toFloatArray(),
                        label + ", high-pass");
                NDArray highTwice = layer.highPassByMatrices(layer.highPassByMatrices(h, n), n);
                assertClose(
                        layer.highPassByMatrices(h, n).toFloatArray(),
                        highTwice.toFloatArray(),
                        label + ", high-pass is a projection");
            }
        }
        assertTrue(SpectralConv2d.byMatrices(32, 4), "the default score network's branch uses the products");
        assertFalse(SpectralConv2d.byMatrices(32, 12), "an FNO's twelve modes use the FFTs");
    }

    @FunctionalInterface
    private interface Layer {
        NDArray apply(NDArray x, NDArray wr, NDArray wi);
    }

    /** Output and the gradients of {@code sum(output * g)} for the input and both weights. */
    private static float[][] run(NDArray x0, NDArray wr0, NDArray wi0, NDArray g, Layer layer) {
        try (NDManager s = x0.getManager().newSubManager()) {
            NDArray x = x0.duplicate();
            NDArray wr = wr0.duplicate();
            NDArray wi = wi0.duplicate();
            for (NDArray a : new NDArray[] {x, wr, wi}) {
                a.attach(s);
                a.setRequiresGradient(true);
            }
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = layer.apply(x, wr, wi);
                float[] out = y.toFloatArray();
                gc.backward(y.mul(g).sum());
                return new float[][] {
                    out,
                    x.getGradient().toFloatArray(),
                    wr.getGradient().toFloatArray(),
                    wi.getGradient().toFloatArray()
                };
            }
        }
    }

    /** Equal up to float32 round-off of sums over the grid: 1e-4 of the largest value. */
    private static void assertClose(float[] expected, float[] actual, String what) {
        FieldAsserts.assertCloseToScale(expected, actual, 1e-4, what);
    }

    private static float[] gaussian(Random random, int size) {
        float[] a = new float[size];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) random.nextGaussian();
        }
        return a;
    }
}
