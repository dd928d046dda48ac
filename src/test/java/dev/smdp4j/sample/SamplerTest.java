package dev.smdp4j.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.smdp4j.EngineTest;
import dev.smdp4j.TestFourier;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.physics.HeatEquation;
import dev.smdp4j.score.ExactHeatScore;
import dev.smdp4j.sde.Diffusion;
import dev.smdp4j.sde.Sde;
import dev.smdp4j.sde.TimeGrid;
import dev.smdp4j.util.GaussianNoise;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The samplers with the exact score of the discrete forward process plugged in. With a linear,
 * diagonal-in-Fourier score, every sampler is a per-mode linear recursion whose mean and variance
 * have closed forms; the tests compare the engine's samples with those recursions.
 */
class SamplerTest extends EngineTest {
    static final int N = 8;
    static final Normalisation NORM = new Normalisation(0, 2.455);

    static DatasetSpec spec(int steps) {
        return DatasetSpec.heat(10, 10, N, 4, 1, 0.2, steps, 0.1, 0.01, 0);
    }

    /** An observation-like field: the exact end state of a fixed random field. */
    static float[] observation(NDManager m, HeatEquation heat, int count) {
        NDArray x0 = new GaussianNoise(21).next(m, new Shape(count, N, N)).mul(0.5f);
        return heat.advance(x0, 0.2).toFloatArray();
    }

    /** Per-mode variances V_m on the uniform grid: V_0 = p, V_{m+1} = c^2 V_m + g^2 d. */
    static double[] modeVariances(DatasetSpec spec, int[] k, ExactHeatScore exact, TimeGrid grid) {
        double[] v = new double[grid.steps() + 1];
        int index = Math.floorMod(k[1], N) * N + Math.floorMod(k[0], N);
        for (int m = 0; m <= grid.steps(); m++) {
            v[m] = exact.variance(grid.time(m))[index];
        }
        return v;
    }

    @Test
    void sdeSamplesHaveTheClosedFormPerModeMeanAndVariance() {
        DatasetSpec spec = spec(32);
        int samples = 3000;
        try (NDManager m = manager.newSubManager();
                HeatEquation heat = new HeatEquation(m, 1);
                ExactHeatScore exact = new ExactHeatScore(m, spec, NORM)) {
            Sde sde = new Sde(heat, Diffusion.constant(spec.diffusion()));
            TimeGrid grid = TimeGrid.uniform(0.2, 32);
            float[] y = observation(m, heat, 1);
            HostArray out = PosteriorSampling.run(
                    m,
                    new HostArray(y, 1, N, N),
                    samples,
                    Samplers.create("sde"),
                    sde,
                    exact,
                    grid,
                    Seeding.global(5),
                    1000,
                    true,
                    null);
            float[] x = out.data();
            for (int[] k : new int[][] {{1, 0}, {1, 1}, {2, 1}, {3, 0}}) {
                double k2 = k[0] * k[0] + k[1] * k[1];
                double[] v = modeVariances(spec, k, exact, grid);
                // x_{m-1} = a_m x_m + g sqrt(d) z per mode, a_m = 2 - c - d g^2 / V_m; no noise into t_0
                double d = 0.2 / 32;
                double c = Math.exp(-k2 * d);
                double gain = 1;
                double var = 0;
                for (int step = 32; step >= 1; step--) {
                    double a = 2 - c - d * 0.01 / v[step];
                    gain *= a;
                    var = a * a * var + (step > 1 ? 0.01 * d : 0);
                }
                double[] yk = TestFourier.mode(y, 0, N, k[0], k[1]);
                double meanRe = 0;
                double meanIm = 0;
                double power = 0;
                for (int s = 0; s < samples; s++) {
                    double[] xk = TestFourier.mode(x, s * N * N, N, k[0], k[1]);
                    meanRe += xk[0] / samples;
                    meanIm += xk[1] / samples;
                    power += (xk[0] * xk[0] + xk[1] * xk[1]) / samples;
                }
                double sampleVar = (power - meanRe * meanRe - meanIm * meanIm) / (N * N); // unitary
                assertEquals(var, sampleVar, 0.08 * var, "variance of mode " + Arrays.toString(k));
                double sd = Math.sqrt(var * N * N / samples);
                assertEquals(
                        gain * yk[0],
                        meanRe,
                        5 * sd + 1e-4 * Math.abs(gain * yk[0]),
                        "mean of mode " + Arrays.toString(k));
                assertEquals(gain * yk[1], meanIm, 5 * sd + 1e-4 * Math.abs(gain * yk[1]));
            }
        }
    }

    @Test
    void odeIsDeterministicAndScalesEachModeByTheClosedFormFactor() {
        DatasetSpec spec = spec(32);
        try (NDManager m = manager.newSubManager();
                HeatEquation heat = new HeatEquation(m, 1);
                ExactHeatScore exact = new ExactHeatScore(m, spec, NORM)) {
            Sde sde = new Sde(heat, Diffusion.constant(0.1));
            TimeGrid grid = TimeGrid.uniform(0.2, 16); // a sampler grid unlike the data's
            HostArray y = new HostArray(observation(m, heat, 3), 3, N, N);
            Sampler ode = Samplers.create("ode");
            float[] a = PosteriorSampling.run(m, y, 2, ode, sde, exact, grid, Seeding.global(1), 4, true, null)
                    .data();
            float[] b = PosteriorSampling.run(m, y, 2, ode, sde, exact, grid, Seeding.global(99), 5, true, null)
                    .data();
            assertArrayEquals(a, b, 1e-6f); // no randomness; batch size only reorders float sums
            for (int[] k : new int[][] {{1, 0}, {2, 2}, {0, 3}}) {
                double[] v = modeVariances(spec, k, exact, grid);
                double d = 0.2 / 16;
                double c = Math.exp(-(k[0] * k[0] + k[1] * k[1]) * d);
                double gain = 1;
                for (int step = 16; step >= 1; step--) {
                    gain *= 2 - c - d * 0.01 / v[step];
                }
                double[] yk = TestFourier.mode(y.data(), N * N, N, k[0], k[1]);
                double[] xk = TestFourier.mode(a, 2 * N * N, N, k[0], k[1]);
                assertEquals(gain * yk[0], xk[0], 1e-4 * (1 + Math.abs(gain * yk[0])), "mode " + Arrays.toString(k));
                assertEquals(gain * yk[1], xk[1], 1e-4 * (1 + Math.abs(gain * yk[1])));
            }
        }
    }

    @Test
    void heunConvergesAtSecondOrderToTheProbabilityFlowSolution() {
        DatasetSpec spec = spec(4); // sampler grids below refine the data grid, so V(t) is smooth within steps
        try (NDManager m = manager.newSubManager();
                HeatEquation heat = new HeatEquation(m, 1);
                ExactHeatScore exact = new ExactHeatScore(m, spec, NORM)) {
            Sde sde = new Sde(heat, Diffusion.constant(0.1));
            int[][] modes = {{1, 0}, {1, 1}, {0, 2}};
            float[] y = new float[N * N];
            for (int[] k : modes) {
                for (int j = 0; j < N; j++) {
                    for (int l = 0; l < N; l++) {
                        y[j * N + l] += (float) Math.cos(2 * Math.PI * (k[1] * j + k[0] * l) / N + 0.4);
                    }
                }
            }
            double[] errors = new double[4];
            int[] stepCounts = {8, 16, 32, 64};
            for (int e = 0; e < stepCounts.length; e++) {
                TimeGrid grid = TimeGrid.uniform(0.2, stepCounts[e]);
                float[] x = Samplers.create("ode-heun")
                        .sample(m.create(y, new Shape(1, N, N)), sde, exact, grid, new GaussianNoise(0))
                        .toFloatArray();
                double err = 0;
                for (int[] k : modes) {
                    double factor = exactFlowFactor(exact, k, 0.2);
                    double[] xk = TestFourier.mode(x, 0, N, k[0], k[1]);
                    double[] yk = TestFourier.mode(y, 0, N, k[0], k[1]);
                    err = Math.max(
                            err, Math.hypot(xk[0] - factor * yk[0], xk[1] - factor * yk[1]) / Math.hypot(yk[0], yk[1]));
                }
                errors[e] = err;
            }
            for (int e = 0; e + 1 < errors.length; e++) {
                double order = Math.log(errors[e] / errors[e + 1]) / Math.log(2);
                assertTrue(
                        order > 1.8 && order < 2.3,
                        "observed order " + order + " from errors " + Arrays.toString(errors));
            }
        }
    }

    /**
     * The probability-flow ODE per mode is dx/dt = a(t) x with a = -|k|^2 + g^2 / (2 V(t)), so
     * x(0) = x(T) exp(-int_0^T a dt); the integral by composite Simpson in double precision.
     */
    static double exactFlowFactor(ExactHeatScore exact, int[] k, double end) {
        int index = Math.floorMod(k[1], N) * N + Math.floorMod(k[0], N);
        double k2 = k[0] * k[0] + k[1] * k[1];
        int n = 20000;
        double h = end / n;
        double integral = 0;
        for (int i = 0; i <= n; i++) {
            double t = i * h;
            double a = -k2 + 0.01 / (2 * exact.variance(t)[index]);
            integral += a * (i == 0 || i == n ? 1 : (i % 2 == 1 ? 4 : 2));
        }
        return Math.exp(-integral * h / 3);
    }

    @Test
    void predictorCorrectorWithoutCorrectionIsTheSdeAndCorrectionChangesIt() {
        DatasetSpec spec = spec(32);
        try (NDManager m = manager.newSubManager();
                HeatEquation heat = new HeatEquation(m, 1);
                ExactHeatScore exact = new ExactHeatScore(m, spec, NORM)) {
            Sde sde = new Sde(heat, Diffusion.constant(0.1));
            TimeGrid grid = TimeGrid.uniform(0.2, 8);
            HostArray y = new HostArray(observation(m, heat, 2), 2, N, N);
            float[] sdeOut = PosteriorSampling.run(
                            m, y, 3, Samplers.create("sde"), sde, exact, grid, Seeding.global(4), 6, true, null)
                    .data();
            float[] pc0 = PosteriorSampling.run(
                            m, y, 3, Samplers.create("pc", 0, 0.16), sde, exact, grid, Seeding.global(4), 6, true, null)
                    .data();
            float[] pc2 = PosteriorSampling.run(
                            m, y, 3, Samplers.create("pc", 2, 0.16), sde, exact, grid, Seeding.global(4), 6, true, null)
                    .data();
            assertArrayEquals(sdeOut, pc0);
            assertFalse(Arrays.equals(sdeOut, pc2));
            assertEquals(-1, new HostArray(pc2, pc2.length).firstNonFinite());
        }
    }

    @Test
    void samplesDoNotDependOnTheBatchSize() {
        DatasetSpec spec = spec(32);
        try (NDManager m = manager.newSubManager();
                HeatEquation heat = new HeatEquation(m, 1);
                ExactHeatScore exact = new ExactHeatScore(m, spec, NORM)) {
            Sde sde = new Sde(heat, Diffusion.constant(0.1));
            TimeGrid grid = TimeGrid.uniform(0.2, 8);
            HostArray y = new HostArray(observation(m, heat, 3), 3, N, N);
            float[] a = PosteriorSampling.run(
                            m, y, 4, Samplers.create("sde"), sde, exact, grid, Seeding.global(8), 12, true, null)
                    .data();
            float[] b = PosteriorSampling.run(
                            m, y, 4, Samplers.create("sde"), sde, exact, grid, Seeding.global(8), 5, true, null)
                    .data();
            assertArrayEquals(a, b, 1e-6f);
        }
    }

    @Test
    void unknownSamplerNamesListTheValidOnes() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Samplers.create("euler"));
        assertTrue(e.getMessage().contains("ode-heun"), e.getMessage());
    }
}
