package dev.smdp4j.sde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.smdp4j.EngineTest;
import dev.smdp4j.TestFourier;
import dev.smdp4j.physics.GaussianRandomField;
import dev.smdp4j.physics.HeatEquation;
import dev.smdp4j.util.GaussianNoise;
import org.junit.jupiter.api.Test;

/** Euler-Maruyama against the closed-form per-mode variance recursion of docs/BENCHMARK.md. */
class ForwardSimulationTest extends EngineTest {

    @Test
    void perModeVarianceOfTheEndStateFollowsTheRecursion() {
        int n = 8;
        int count = 4000;
        double alpha = 1.0;
        double g = 0.7;
        TimeGrid grid = TimeGrid.jittered(0.2, 16, new GaussianNoise(11));
        try (NDManager m = manager.newSubManager();
                HeatEquation heat = new HeatEquation(m, alpha)) {
            float[] x0 = new GaussianRandomField(4).sample(m, count, n, 12).data();
            NDArray start = m.create(x0, new Shape(count, n, n));
            NDArray end = ForwardSimulation.endState(
                    new Sde(heat, Diffusion.constant(g)), grid, start, new GaussianNoise(13));
            float[] xm = end.toFloatArray();
            int[][] modes = {{1, 0}, {0, 2}, {1, 1}, {2, 2}, {3, 1}};
            for (int[] k : modes) {
                int k2 = k[0] * k[0] + k[1] * k[1];
                // unitary DFT: prior variance p_k = A_k^2 / N^2 = N^2 / |k|^4
                double v = (double) n * n / (k2 * (double) k2);
                for (int i = 0; i < grid.steps(); i++) {
                    double d = grid.span(i);
                    v = Math.exp(-2 * alpha * k2 * d) * v + g * g * d;
                }
                double measured = 0;
                for (int f = 0; f < count; f++) {
                    measured += TestFourier.modePower(xm, f * n * n, n, k[0], k[1]) / (n * n);
                }
                measured /= count;
                // |X_k|^2 is exponential with mean V: relative standard error 1/sqrt(count) = 1.6%
                assertEquals(v, measured, 0.07 * v, "mode " + k[0] + "," + k[1]);
            }
        }
    }

    /**
     * The closed-form marginal draw of x_k (what training uses to start a window) against the
     * per-mode recursion, and against the simulation it replaces: the same mean (the noise-free
     * physics of x0) and the same per-mode variance of the noise.
     */
    @Test
    void marginalDrawsHaveTheSimulatedMeanAndPerModeVariance() {
        int n = 8;
        int count = 4000;
        double alpha = 1.0;
        double g = 0.7;
        int k = 11;
        TimeGrid grid = TimeGrid.jittered(0.2, 16, new GaussianNoise(21));
        try (NDManager m = manager.newSubManager();
                HeatEquation heat = new HeatEquation(m, alpha)) {
            Sde sde = new Sde(heat, Diffusion.constant(g));
            assertTrue(ForwardSimulation.hasClosedFormMarginal(sde, n));
            NDArray one =
                    m.create(new GaussianRandomField(4).sample(m, 1, n, 22).data(), new Shape(1, n, n));
            NDArray x0 = one.repeat(0, count);
            NDArray mean = heat.advance(one, grid.time(k)); // the noise-free physics over t_k
            float[] marginal = ForwardSimulation.marginal(sde, grid, x0, new GaussianNoise(23), k)
                    .sub(mean)
                    .toFloatArray();
            float[] simulated = ForwardSimulation.trajectory(sde, grid, x0, new GaussianNoise(24), k)
                    .get(":, " + k)
                    .sub(mean)
                    .toFloatArray();
            // the mean: residuals average to zero in every pixel (pixel noise std about g sqrt(t_k) = 0.27)
            for (float[] r : new float[][] {marginal, simulated}) {
                for (int p = 0; p < n * n; p++) {
                    double sum = 0;
                    for (int f = 0; f < count; f++) {
                        sum += r[f * n * n + p];
                    }
                    assertEquals(0, sum / count, 5 * 0.3 / Math.sqrt(count), "pixel " + p);
                }
            }
            int[][] modes = {{0, 0}, {1, 0}, {0, 2}, {1, 1}, {2, 2}, {3, 1}, {4, 4}};
            for (int[] q : modes) {
                int k2 = q[0] * q[0] + q[1] * q[1];
                double v = 0;
                for (int i = 0; i < k; i++) {
                    double d = grid.span(i);
                    v = Math.exp(-2 * alpha * k2 * d) * v + g * g * d;
                }
                double fromMarginal = 0;
                double fromSimulation = 0;
                for (int f = 0; f < count; f++) {
                    fromMarginal += TestFourier.modePower(marginal, f * n * n, n, q[0], q[1]) / (n * n);
                    fromSimulation += TestFourier.modePower(simulated, f * n * n, n, q[0], q[1]) / (n * n);
                }
                // |X_k|^2 is exponential (chi-square with 1 degree of freedom at a real mode): 2-3% standard error
                assertEquals(v, fromMarginal / count, 0.12 * v, "marginal, mode " + q[0] + "," + q[1]);
                assertEquals(v, fromSimulation / count, 0.12 * v, "simulation, mode " + q[0] + "," + q[1]);
            }
            // pooled over all modes (Parseval): the mean squared residual per pixel, to about 0.3%
            double expected = 0;
            for (double k2 : dev.smdp4j.physics.HeatKernel.wavenumberSquared(n)) {
                double v = 0;
                for (int i = 0; i < k; i++) {
                    v = Math.exp(-2 * alpha * k2 * grid.span(i)) * v + g * g * grid.span(i);
                }
                expected += v / (n * n);
            }
            for (float[] r : new float[][] {marginal, simulated}) {
                double meanSquare = 0;
                for (float v : r) {
                    meanSquare += (double) v * v / r.length;
                }
                assertEquals(expected, meanSquare, 0.015 * expected, r == marginal ? "marginal" : "simulation");
            }
            assertArrayEquals(
                    x0.toFloatArray(),
                    ForwardSimulation.marginal(sde, grid, x0, new GaussianNoise(1), 0)
                            .toFloatArray(),
                    "x_0 is x0");
            Sde opaque = new Sde(dev.smdp4j.TestPhysics.withoutSymbol(heat), Diffusion.constant(g));
            assertTrue(!ForwardSimulation.hasClosedFormMarginal(opaque, n));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> ForwardSimulation.marginal(opaque, grid, x0, new GaussianNoise(1), 3));
        }
    }

    @Test
    void trajectoryStacksAllStatesAndStartsAtX0() {
        try (NDManager m = manager.newSubManager();
                HeatEquation heat = new HeatEquation(m, 1)) {
            NDArray x0 = new GaussianNoise(1).next(m, new Shape(3, 8, 8));
            TimeGrid grid = TimeGrid.uniform(0.2, 4);
            NDArray traj =
                    ForwardSimulation.trajectory(new Sde(heat, Diffusion.constant(0)), grid, x0, new GaussianNoise(2));
            assertEquals(new Shape(3, 5, 8, 8), traj.getShape());
            float[] first = traj.get(":, 0").toFloatArray();
            float[] x = x0.toFloatArray();
            for (int i = 0; i < x.length; i++) {
                assertEquals(x[i], first[i], 0f);
            }
            // g = 0: the last state is the exact step over T
            float[] last = traj.get(":, 4").toFloatArray();
            float[] exact = heat.advance(x0, 0.2).toFloatArray();
            for (int i = 0; i < x.length; i++) {
                assertEquals(exact[i], last[i], 2e-6);
            }
        }
    }

    /** The first k steps only (what a training window needs) give exactly the whole trajectory's first states. */
    @Test
    void aTruncatedTrajectoryIsThePrefixOfTheWholeOne() {
        try (NDManager m = manager.newSubManager();
                HeatEquation heat = new HeatEquation(m, 1)) {
            NDArray x0 = new GaussianNoise(1).next(m, new Shape(3, 8, 8));
            TimeGrid grid = TimeGrid.jittered(0.2, 6, new GaussianNoise(7));
            Sde sde = new Sde(heat, Diffusion.constant(0.3));
            NDArray whole = ForwardSimulation.trajectory(sde, grid, x0, new GaussianNoise(2));
            for (int k : new int[] {0, 1, 4, 6}) {
                NDArray part = ForwardSimulation.trajectory(sde, grid, x0, new GaussianNoise(2), k);
                assertEquals(new Shape(3, k + 1, 8, 8), part.getShape());
                assertArrayEquals(
                        whole.get(":, 0:" + (k + 1)).toFloatArray(), part.toFloatArray(), "first " + k + " steps");
            }
            GaussianNoise noise = new GaussianNoise(2); // in two parts: the same stream, the same states
            NDArray extended = ForwardSimulation.extend(
                    sde, grid, ForwardSimulation.trajectory(sde, grid, x0, noise, 2), noise, 5);
            assertArrayEquals(whole.get(":, 0:6").toFloatArray(), extended.toFloatArray(), "2 steps, then 3 more");
            assertThrows(
                    IllegalArgumentException.class,
                    () -> ForwardSimulation.trajectory(sde, grid, x0, new GaussianNoise(2), 7));
            assertThrows(IllegalArgumentException.class, () -> ForwardSimulation.extend(sde, grid, extended, noise, 4));
        }
    }

    @Test
    void jitteredGridKeepsEndPointsAndOrder() {
        TimeGrid grid = TimeGrid.jittered(0.2, 32, new GaussianNoise(5));
        assertEquals(0, grid.time(0));
        assertEquals(0.2, grid.end(), 1e-15);
        double d = 0.2 / 32;
        for (int i = 0; i < grid.steps(); i++) {
            assertTrue(grid.span(i) > 0);
            if (i > 0) {
                assertTrue(Math.abs(grid.time(i) - i * d) <= d / 2);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> TimeGrid.uniform(0.2, 0));
        assertThrows(IllegalArgumentException.class, () -> TimeGrid.uniform(-1, 4));
        assertThrows(IllegalArgumentException.class, () -> Diffusion.constant(-0.1));
    }
}
