package dev.smdp4j.score;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.physics.FourierMultiplier;

/**
 * What a perfectly trained network would output on the heat benchmark: the optimum of the
 * one-step training regression (docs/BENCHMARK.md, "Algorithm 1", "Note on the factor").
 *
 * <p>Training fits {@code x_{m-1} ~ x_m - P_d(x_m) + d (1/2) g^2 net(x_m, t_m)} in L2, whose
 * optimum is the conditional mean {@code E[x_{m-1} | x_m]}. Per Fourier mode {@code x_m = c x_{m-1}
 * + noise} with {@code c = exp(-alpha |k|^2 d)}, so {@code E[X_{m-1} | X_m] = (c V_{m-1} / V_m) X_m}
 * ({@link HeatModes#forwardVariances}), and since {@code P_d = (c - 1)} per mode,
 * {@code net(x, t_m) = IFFT2[(2 / (d g^2)) (c V_{m-1} / V_m - 2 + c) FFT2(x)]}.
 *
 * <p>It is defined on the data set's uniform grid {@code t_m = m d}: a query time {@code t} uses
 * {@code m = clamp(round(t / d), 1, M)}, so it is exact on the training grid and the value at the
 * nearest grid point elsewhere (as a network trained without time jitter would only have seen grid
 * times). {@code new ScaledNetworkScore(exactNet, 0.5)} turns it into a score model. Multipliers
 * are cached per {@code m}.
 */
public final class ExactNet implements NetworkOutput, AutoCloseable {
    private final DatasetSpec spec;
    private final double[][] forward;
    private final double[] gain;
    private final FourierMultiplier multiplier;

    /**
     * The optimal network output for the data set {@code spec} in the units of {@code normalisation}.
     *
     * @throws IllegalArgumentException if {@code g = 0}: the network term {@code d (1/2) g^2 net}
     *     vanishes and the optimum is undefined
     */
    public ExactNet(NDManager manager, DatasetSpec spec, Normalisation normalisation) {
        this.spec = spec.validate();
        if (!(spec.diffusion() > 0)) {
            throw new IllegalArgumentException(
                    "the optimal network output needs diffusion g > 0, got " + spec.diffusion());
        }
        this.forward = HeatModes.forwardVariances(spec, normalisation);
        this.gain = HeatModes.heatGain(spec.gridSize(), spec.alpha(), step());
        this.multiplier = new FourierMultiplier(manager);
    }

    @Override
    public NDArray output(NDArray x, double t) {
        int m = gridIndex(t);
        return multiplier.apply(x, m, () -> outputMultiplier(m));
    }

    /** {@code m = clamp(round(t / d), 1, M)}, the grid step whose regression target {@code t} selects. */
    public int gridIndex(double t) {
        if (!Double.isFinite(t)) {
            throw new IllegalArgumentException("time must be finite, got " + t);
        }
        return (int) Math.max(1, Math.min(spec.steps(), Math.round(t / step())));
    }

    /** {@code (2 / (d g^2)) (c V_{m-1} / V_m - 2 + c)} per mode; {@code V_m >= g^2 d > 0} for {@code m >= 1}. */
    private double[] outputMultiplier(int m) {
        double d = step();
        double g2 = spec.diffusion() * spec.diffusion();
        double[] w = new double[gain.length];
        for (int i = 0; i < w.length; i++) {
            double c = gain[i];
            w[i] = 2 / (d * g2) * (c * forward[m - 1][i] / forward[m][i] - 2 + c);
        }
        return w;
    }

    private double step() {
        return spec.endTime() / spec.steps();
    }

    @Override
    public String describe() {
        return "exact-net";
    }

    @Override
    public void close() {
        multiplier.close();
    }
}
