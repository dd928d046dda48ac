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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The exact heat step against closed forms and an independent finite-difference scheme. */
class HeatEquationTest extends EngineTest {

    /** cos(kx x + ky y) sampled at x_j = 2 pi j / n, as an [n, n] row-major array (rows = y). */
    static float[] mode(int n, int kx, int ky) {
        float[] f = new float[n * n];
        for (int j = 0; j < n; j++) {
            for (int l = 0; l < n; l++) {
                f[j * n + l] = (float) Math.cos(2 * Math.PI * (ky * j + kx * l) / n + 0.3);
            }
        }
        return f;
    }

    @ParameterizedTest
    @EnumSource(HeatEquation.Scheme.class)
    void singleModeDecaysByTheExactFactor(HeatEquation.Scheme scheme) {
        int[][] cases = {{32, 1, 0}, {32, 3, 4}, {32, 0, 7}, {32, 15, -15}, {15, 2, 5}, {15, -7, 1}, {8, 4, 0}};
        for (double alpha : new double[] {1.0, 0.3}) {
            for (double d : new double[] {0.00625, 0.2}) {
                for (int[] c : cases) {
                    int n = c[0];
                    try (NDManager m = manager.newSubManager();
                            HeatEquation heat = new HeatEquation(m, alpha, scheme)) {
                        float[] f = mode(n, c[1], c[2]);
                        float[] out =
                                heat.advance(m.create(f, new Shape(1, n, n)), d).toFloatArray();
                        double factor = Math.exp(-alpha * (c[1] * c[1] + c[2] * c[2]) * d);
                        for (int i = 0; i < f.length; i++) {
                            assertEquals(
                                    factor * f[i], out[i], 2e-6, "mode " + c[1] + "," + c[2] + " N=" + n + " d=" + d);
                        }
                        float[] inc = heat.increment(m.create(f, new Shape(1, n, n)), d)
                                .toFloatArray();
                        for (int i = 0; i < f.length; i++) {
                            assertEquals((factor - 1) * f[i], inc[i], 2e-6);
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(HeatEquation.Scheme.class)
    void rateIsTheGeneratorMinusAlphaKSquaredPerMode(HeatEquation.Scheme scheme) {
        try (NDManager m = manager.newSubManager();
                HeatEquation heat = new HeatEquation(m, 0.7, scheme)) {
            for (int[] k : new int[][] {{1, 0}, {3, 4}, {-5, 2}}) {
                float[] f = mode(32, k[0], k[1]);
                float[] r = heat.rate(m.create(f, new Shape(1, 32, 32))).toFloatArray();
                double lambda = -0.7 * (k[0] * k[0] + k[1] * k[1]);
                for (int i = 0; i < f.length; i++) {
                    assertEquals(lambda * f[i], r[i], 1e-4 * Math.abs(lambda) + 1e-5, "mode " + k[0] + "," + k[1]);
                }
            }
        }
    }

    @Test
    void agreesWithFourthOrderFiniteDifferencesIntegratedByRk4() {
        int n = 32;
        double alpha = 1.0;
        double d = 0.05;
        float[] x0 = new GaussianRandomField(4).sample(manager, 1, n, 5).data();
        double[] u = new double[n * n];
        for (int i = 0; i < u.length; i++) {
            u[i] = x0[i];
        }
        int steps = 500;
        double dt = d / steps;
        double h = 2 * Math.PI / n;
        for (int s = 0; s < steps; s++) {
            double[] k1 = laplacian(u, n, h, alpha);
            double[] k2 = laplacian(axpy(u, k1, dt / 2), n, h, alpha);
            double[] k3 = laplacian(axpy(u, k2, dt / 2), n, h, alpha);
            double[] k4 = laplacian(axpy(u, k3, dt), n, h, alpha);
            for (int i = 0; i < u.length; i++) {
                u[i] += dt / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
            }
        }
        try (NDManager m = manager.newSubManager();
                HeatEquation heat = new HeatEquation(m, alpha)) {
            float[] out = heat.advance(m.create(x0, new Shape(1, n, n)), d).toFloatArray();
            double err = 0;
            double norm = 0;
            for (int i = 0; i < u.length; i++) {
                err += (out[i] - u[i]) * (out[i] - u[i]);
                norm += u[i] * u[i];
            }
            // 4th-order stencil error at these scales is ~1e-4 relative; a wrong multiplier is O(1).
            assertEquals(0, Math.sqrt(err / norm), 1e-3);
        }
    }

    private static double[] axpy(double[] u, double[] k, double a) {
        double[] r = new double[u.length];
        for (int i = 0; i < u.length; i++) {
            r[i] = u[i] + a * k[i];
        }
        return r;
    }

    /** alpha times the 4th-order central-difference Laplacian on the periodic grid. */
    private static double[] laplacian(double[] u, int n, double h, double alpha) {
        double[] r = new double[u.length];
        for (int j = 0; j < n; j++) {
            for (int l = 0; l < n; l++) {
                double c = u[j * n + l];
                double sum = 0;
                for (int axis = 0; axis < 2; axis++) {
                    double p1 = at(u, n, j, l, axis, 1);
                    double m1 = at(u, n, j, l, axis, -1);
                    double p2 = at(u, n, j, l, axis, 2);
                    double m2 = at(u, n, j, l, axis, -2);
                    sum += (-p2 + 16 * p1 - 30 * c + 16 * m1 - m2) / (12 * h * h);
                }
                r[j * n + l] = alpha * sum;
            }
        }
        return r;
    }

    private static double at(double[] u, int n, int j, int l, int axis, int shift) {
        int jj = axis == 0 ? Math.floorMod(j + shift, n) : j;
        int ll = axis == 1 ? Math.floorMod(l + shift, n) : l;
        return u[jj * n + ll];
    }

    @ParameterizedTest
    @EnumSource(HeatEquation.Scheme.class)
    void twoStepsOfDEqualOneStepOfTwoD(HeatEquation.Scheme scheme) {
        try (NDManager m = manager.newSubManager();
                HeatEquation heat = new HeatEquation(m, 1.0, scheme)) {
            NDArray x = new GaussianNoise(3).next(m, new Shape(4, 32, 32));
            float[] twice = heat.advance(heat.advance(x, 0.03), 0.03).toFloatArray();
            float[] once = heat.advance(x, 0.06).toFloatArray();
            assertArrayEquals(once, twice, 2e-6f);
        }
    }

    @Test
    void denseAndFftSchemesAgreeOnBatchesWithLeadingDimensions() {
        try (NDManager m = manager.newSubManager();
                HeatEquation dense = new HeatEquation(m, 0.7, HeatEquation.Scheme.DENSE);
                HeatEquation fft = new HeatEquation(m, 0.7, HeatEquation.Scheme.FFT)) {
            NDArray x = new GaussianNoise(4).next(m, new Shape(2, 3, 32, 32));
            NDArray a = dense.increment(x, 0.011);
            NDArray b = fft.increment(x, 0.011);
            assertEquals(new Shape(2, 3, 32, 32), a.getShape());
            assertArrayEquals(b.toFloatArray(), a.toFloatArray(), 2e-6f);
        }
    }

    @ParameterizedTest
    @EnumSource(HeatEquation.Scheme.class)
    void autogradGradientEqualsTheAnalyticAdjointAndFiniteDifferences(HeatEquation.Scheme scheme) {
        int n = 16;
        double d = 0.02;
        try (NDManager m = manager.newSubManager();
                HeatEquation heat = new HeatEquation(m, 1.0, scheme)) {
            GaussianNoise noise = new GaussianNoise(9);
            NDArray x = noise.next(m, new Shape(2, n, n));
            NDArray w = noise.next(m, new Shape(2, n, n));
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(heat.increment(x, d).mul(w).sum());
            }
            float[] grad = x.getGradient().toFloatArray();
            // P_d = H_d - I and H_d is symmetric, so the adjoint applied to w is H_d(w) - w.
            float[] adjoint = heat.increment(w.stopGradient(), d).toFloatArray();
            assertArrayEquals(adjoint, grad, 1e-5f);
            // Central finite differences of the forward map itself (exact for a linear map up to float rounding).
            float[] xs = x.stopGradient().toFloatArray();
            for (int idx : new int[] {0, 17, 255, 256 + 100, 511}) {
                double eps = 1.0;
                double f1 = objective(heat, m, xs, w, idx, eps, d);
                double f0 = objective(heat, m, xs, w, idx, -eps, d);
                assertEquals((f1 - f0) / (2 * eps), grad[idx], 2e-4, "coordinate " + idx);
            }
        }
    }

    private static double objective(
            HeatEquation heat, NDManager m, float[] x, NDArray w, int idx, double eps, double d) {
        float[] xp = x.clone();
        xp[idx] += (float) eps;
        return heat.increment(m.create(xp, w.getShape()), d).mul(w).sum().getFloat();
    }

    @ParameterizedTest
    @EnumSource(HeatEquation.Scheme.class)
    void backwardAcceptsTheStrideZeroGradientOfSum(HeatEquation.Scheme scheme) {
        try (NDManager m = manager.newSubManager();
                HeatEquation heat = new HeatEquation(m, 1.0, scheme)) {
            NDArray x = new GaussianNoise(8).next(m, new Shape(4, 32, 32));
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(heat.advance(x, 0.01).sum());
            }
            // H_d preserves the mean mode and is symmetric: H_d(ones) = ones, so the gradient is all ones.
            for (float v : x.getGradient().toFloatArray()) {
                assertEquals(1.0, v, 1e-5);
            }
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> new HeatEquation(manager, -1));
        try (NDManager m = manager.newSubManager();
                HeatEquation heat = new HeatEquation(m, 1)) {
            assertThrows(IllegalArgumentException.class, () -> heat.advance(m.zeros(new Shape(2, 4, 5)), 0.1));
            assertThrows(IllegalArgumentException.class, () -> heat.advance(m.zeros(new Shape(2, 4, 4)), -0.1));
            assertThrows(IllegalArgumentException.class, () -> heat.advance(m.zeros(new Shape(2, 4, 4)), Double.NaN));
        }
    }

    @Test
    void cachedOperatorsDoNotLeakIntoTheCallersScope() {
        try (NDManager m = manager.newSubManager();
                HeatEquation heat = new HeatEquation(m, 1)) {
            NDArray x = m.zeros(new Shape(1, 8, 8));
            try (NDManager step = m.newSubManager()) {
                x.tempAttach(step);
                heat.advance(x, 0.1);
            }
            // the cached operator must still be usable after the step scope closed
            assertEquals(64, heat.advance(x, 0.1).size());
        }
    }
}
