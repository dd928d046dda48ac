package dev.smdp4j.score;

import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.physics.GaussianRandomField;
import dev.smdp4j.physics.HeatKernel;
import dev.smdp4j.sde.TimeGrid;

/**
 * Per-Fourier-mode closed forms of the heat benchmark (docs/BENCHMARK.md, "Closed form"), in
 * double precision on the host and in normalised units.
 *
 * <p>Every array is indexed like the {@code N x N} FFT grid, row-major over FFT indices
 * {@code (u, v)} with wavenumbers {@link HeatKernel#wavenumber}. Variances are those of the unitary
 * DFT: a real field with per-mode variance {@code v_k} has {@code E|FFT2(x)_k|^2 / N^2 = v_k}, so
 * white noise of variance {@code v} has {@code v_k = v} and keeps it under the heat step's
 * per-mode gain {@code exp(-alpha |k|^2 d)}.
 */
public final class HeatModes {
    /** Slack in locating a time on the uniform grid, so that {@code i d} computed in floating point maps to i. */
    private static final double GRID_SLACK = 1e-9;

    private HeatModes() {}

    /** {@code |k|^2 = ky^2 + kx^2} per FFT index of an {@code n x n} grid. */
    public static double[] wavenumberSquared(int n) {
        return HeatKernel.wavenumberSquared(n);
    }

    /** The heat step's per-mode gain {@code exp(-alpha |k|^2 d)} over a time span {@code d} (docs/BENCHMARK.md, "Domain and physics"). */
    public static double[] heatGain(int n, double alpha, double d) {
        double[] c = wavenumberSquared(n);
        for (int i = 0; i < c.length; i++) {
            c[i] = Math.exp(-alpha * c[i] * d);
        }
        return c;
    }

    /**
     * Prior variance per mode in normalised units, {@code p_k = A(f_k)^2 / N^2 / std^2}, with the
     * amplitude {@code A(f) = f^(-n/2)}, {@code A(0) = 0} of {@link GaussianRandomField} (the
     * field {@code Re IFFT2[(a + ib) A]} has {@code E|FFT2(x)_k|^2 = A_k^2}); so {@code p_0 = 0}.
     * Dividing by {@code std^2} is all the normalisation does per mode: the mean only shifts mode 0
     * and is zero for these fields up to rounding.
     */
    public static double[] priorVariance(DatasetSpec spec, Normalisation normalisation) {
        return new GaussianRandomField(spec.exponent()).modeVariance(spec.gridSize(), normalisation.std());
    }

    /**
     * Marginal variances of the discrete forward process (Euler-Maruyama with the exact heat
     * step) on {@code grid}: {@code V_0 = p}, {@code V_{i+1} = exp(-2 alpha |k|^2 d_i) V_i + g^2 d_i}
     * with {@code d_i = t_{i+1} - t_i} (docs/BENCHMARK.md, "Closed form").
     *
     * @param prior per-mode variances {@code p} of the initial state, {@code N * N} values
     * @return {@code [M + 1][N * N]}, row {@code i} at {@code t_i}
     */
    public static double[][] forwardVariances(double[] prior, double alpha, double g, TimeGrid grid) {
        int n = gridSize(prior);
        double[][] v = new double[grid.steps() + 1][];
        v[0] = prior.clone();
        for (int i = 0; i < grid.steps(); i++) {
            v[i + 1] = step(v[i], n, alpha, g, grid.span(i));
        }
        return v;
    }

    /** {@link #forwardVariances(double[], double, double, TimeGrid)} of the data set's prior on its uniform grid. */
    public static double[][] forwardVariances(DatasetSpec spec, Normalisation normalisation) {
        return forwardVariances(
                priorVariance(spec, normalisation),
                spec.alpha(),
                spec.diffusion(),
                TimeGrid.uniform(spec.endTime(), spec.steps()));
    }

    /**
     * Per-mode variance at any {@code t} in {@code [0, M d]}, given the variances {@code forward}
     * on the uniform grid of span {@code d}: with {@code j = floor(t / d)} and {@code r = t - j d},
     * {@code V(t) = exp(-2 alpha |k|^2 r) V_j + g^2 r}, i.e. the last grid state followed by one
     * partial step of length {@code r}. This is exact on the grid, continuous in {@code t}, and the
     * marginal of the process whose step into {@code t} is shortened to end there.
     *
     * @throws IllegalArgumentException if {@code t} lies outside the grid
     */
    public static double[] varianceAt(double t, double[][] forward, double alpha, double g, double d) {
        int steps = forward.length - 1;
        double s = t / d;
        if (!(s >= -GRID_SLACK && s <= steps + GRID_SLACK)) {
            throw new IllegalArgumentException("time " + t + " is outside [0, " + steps * d + "]");
        }
        int j = Math.min(steps, (int) Math.floor(Math.max(0, s) + GRID_SLACK));
        double r = t - j * d;
        // On a grid point (up to rounding) return the stored row itself rather than a re-rounded copy.
        return Math.abs(r) <= GRID_SLACK * d ? forward[j].clone() : step(forward[j], gridSize(forward[j]), alpha, g, r);
    }

    /** {@code exp(-2 alpha |k|^2 d) V + g^2 d}, one Euler-Maruyama step of the per-mode variance. */
    private static double[] step(double[] v, int n, double alpha, double g, double d) {
        double[] c = heatGain(n, alpha, d);
        double[] next = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            next[i] = c[i] * c[i] * v[i] + g * g * d;
        }
        return next;
    }

    /** N of a per-mode array of {@code N * N} values. */
    static int gridSize(double[] perMode) {
        int n = (int) Math.round(Math.sqrt(perMode.length));
        if (n < 1 || n * n != perMode.length) {
            throw new IllegalArgumentException("per-mode array of length " + perMode.length + " is not N x N");
        }
        return n;
    }
}
