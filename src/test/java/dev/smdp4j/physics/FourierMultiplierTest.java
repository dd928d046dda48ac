package dev.smdp4j.physics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.smdp4j.EngineTest;
import dev.smdp4j.util.GaussianNoise;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/** Fourier multipliers against the dense heat step and a direct double-precision DFT. */
class FourierMultiplierTest extends EngineTest {

    /** {@code f(|k|^2)} on the full FFT grid, row-major. */
    private static double[] radial(int n, DoubleUnaryOperator f) {
        double[] w = new double[n * n];
        for (int u = 0; u < n; u++) {
            for (int v = 0; v < n; v++) {
                int ky = HeatKernel.wavenumber(u, n);
                int kx = HeatKernel.wavenumber(v, n);
                w[u * n + v] = f.applyAsDouble(ky * ky + kx * kx);
            }
        }
        return w;
    }

    @Test
    void heatMultiplierEqualsTheDenseHeatStep() {
        double alpha = 0.9;
        double d = 0.013;
        for (int n : new int[] {32, 15}) {
            try (NDManager m = manager.newSubManager();
                    FourierMultiplier multiplier = new FourierMultiplier(m);
                    HeatEquation heat = new HeatEquation(m, alpha, HeatEquation.Scheme.DENSE)) {
                NDArray x = new GaussianNoise(n).next(m, new Shape(2, 3, n, n));
                NDArray out = multiplier.apply(x, "heat", () -> radial(n, k2 -> Math.exp(-alpha * k2 * d)));
                assertEquals(new Shape(2, 3, n, n), out.getShape());
                assertArrayEquals(heat.advance(x, d).toFloatArray(), out.toFloatArray(), 2e-6f, "N = " + n);
            }
        }
    }

    @Test
    void nonSeparableMultiplierEqualsADirectDft() {
        for (int n : new int[] {6, 5}) {
            double[] w = radial(n, k2 -> 1 / (1 + k2));
            try (NDManager m = manager.newSubManager()) {
                NDArray x = new GaussianNoise(40 + n).next(m, new Shape(2, n, n));
                float[] xs = x.toFloatArray();
                float[] out = FourierMultiplier.apply(x, w).toFloatArray();
                for (int b = 0; b < 2; b++) {
                    double[] expected = directFilter(xs, b * n * n, n, w);
                    for (int i = 0; i < n * n; i++) {
                        assertEquals(expected[i], out[b * n * n + i], 2e-6, "N = " + n + ", pixel " + i);
                    }
                }
            }
        }
    }

    /** {@code Re (1/N^2) sum_k w_k X_k e^{+i k.a}} with {@code X_k = sum_a x_a e^{-i k.a}}, in double. */
    private static double[] directFilter(float[] x, int offset, int n, double[] w) {
        double[] out = new double[n * n];
        for (int u = 0; u < n; u++) {
            for (int v = 0; v < n; v++) {
                double re = 0;
                double im = 0;
                for (int j = 0; j < n; j++) {
                    for (int l = 0; l < n; l++) {
                        double angle = -2 * Math.PI * ((u * j + v * l) % n) / n;
                        re += x[offset + j * n + l] * Math.cos(angle);
                        im += x[offset + j * n + l] * Math.sin(angle);
                    }
                }
                double wk = w[u * n + v];
                for (int j = 0; j < n; j++) {
                    for (int l = 0; l < n; l++) {
                        double angle = 2 * Math.PI * ((u * j + v * l) % n) / n;
                        out[j * n + l] += wk * (re * Math.cos(angle) - im * Math.sin(angle)) / (n * n);
                    }
                }
            }
        }
        return out;
    }

    @Test
    void rejectsInvalidMultipliers() {
        int n = 6;
        double[] odd = radial(n, k2 -> 1);
        odd[1 * n + 0] = 2; // (1, 0) but not (-1, 0)
        try (NDManager m = manager.newSubManager();
                FourierMultiplier multiplier = new FourierMultiplier(m)) {
            NDArray x = m.zeros(new Shape(1, n, n));
            assertThrows(IllegalArgumentException.class, () -> multiplier.apply(x, "odd", () -> odd));
            assertThrows(IllegalArgumentException.class, () -> FourierMultiplier.apply(x, odd));
            assertThrows(IllegalArgumentException.class, () -> FourierMultiplier.apply(x, new double[25]));
            assertThrows(
                    IllegalArgumentException.class, () -> FourierMultiplier.apply(m.zeros(new Shape(1, 6, 5)), odd));
            double[] infinite = radial(n, k2 -> 1);
            infinite[0] = Double.POSITIVE_INFINITY;
            assertThrows(IllegalArgumentException.class, () -> FourierMultiplier.validate(infinite, n));
            double[] huge = radial(n, k2 -> 1e40);
            assertThrows(IllegalArgumentException.class, () -> FourierMultiplier.validate(huge, n));
        }
    }

    @Test
    void gradientIsTheMultiplierItselfBecauseTheOperatorIsSymmetric() {
        int n = 16;
        try (NDManager m = manager.newSubManager();
                FourierMultiplier multiplier = new FourierMultiplier(m)) {
            double[] w = radial(n, k2 -> 1 / (1 + k2));
            GaussianNoise noise = new GaussianNoise(12);
            NDArray x = noise.next(m, new Shape(2, n, n));
            NDArray weights = noise.next(m, new Shape(2, n, n));
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(multiplier.apply(x, "w", () -> w).mul(weights).sum());
            }
            float[] adjoint = multiplier.apply(weights, "w", () -> w).toFloatArray();
            assertArrayEquals(adjoint, x.getGradient().toFloatArray(), 1e-5f);

            // the stride-0 gradient of sum() must pass irfft's backward; w(0) = 1 makes it all ones
            NDArray y = noise.next(m, new Shape(3, n, n));
            y.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(multiplier.apply(y, "w", () -> w).sum());
            }
            for (float v : y.getGradient().toFloatArray()) {
                assertEquals(1.0, v, 1e-5);
            }
        }
    }

    @Test
    void resultsLiveInTheInputsManagerAndCachedMultipliersOutliveIt() {
        int n = 8;
        double[] w = radial(n, k2 -> Math.exp(-0.1 * k2));
        try (NDManager m = manager.newSubManager();
                FourierMultiplier multiplier = new FourierMultiplier(m)) {
            NDArray x = new GaussianNoise(1).next(m, new Shape(1, n, n));
            float[] expected = FourierMultiplier.apply(x, w).toFloatArray();
            try (NDManager step = m.newSubManager()) {
                NDArray local = x.duplicate();
                local.attach(step);
                NDArray out = multiplier.apply(local, "w", () -> w);
                assertEquals(step, out.getManager());
            }
            assertArrayEquals(
                    expected,
                    multiplier
                            .apply(x, "w", () -> {
                                throw new AssertionError("a cached multiplier must not be rebuilt");
                            })
                            .toFloatArray(),
                    0);
            // beyond the cache capacity multipliers are built per call in the caller's manager
            for (int key = 0; key < FourierMultiplier.CACHE_CAPACITY + 3; key++) {
                double scale = key;
                NDArray out = multiplier.apply(x, key, () -> radial(n, k2 -> scale));
                assertEquals(scale * x.getFloat(0, 3, 5), out.getFloat(0, 3, 5), 1e-4 * (1 + scale));
            }
        }
    }
}
