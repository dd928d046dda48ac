package dev.smdp4j.score;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.physics.FourierMultiplier;

/**
 * The exact score of the heat benchmark's discrete forward process (docs/BENCHMARK.md, "Closed form"): the
 * marginal at {@code t} is a mean-zero Gaussian, diagonal in the Fourier basis with per-mode
 * variance {@code V(t)} ({@link HeatModes#varianceAt}), so
 * {@code grad log p_t(x) = -IFFT2[FFT2(x) / V(t)]}.
 *
 * <p>On the data set's uniform grid this is exact; between grid points it is the score of the
 * process whose last step is shortened to end at {@code t}. A mode of zero variance (mode 0 at
 * {@code t = 0}, where every field has zero spatial mean) gets multiplier 0, i.e. the
 * pseudo-inverse: the score has no component along a direction the distribution does not
 * occupy. Multipliers are cached per {@code t}.
 */
public final class ExactHeatScore implements ScoreModel, AutoCloseable {
    private final DatasetSpec spec;
    private final double[][] forward;
    private final FourierMultiplier multiplier;

    /** The exact score of the data set {@code spec} in the units of {@code normalisation}. */
    public ExactHeatScore(NDManager manager, DatasetSpec spec, Normalisation normalisation) {
        this.spec = spec.validate();
        this.forward = HeatModes.forwardVariances(spec, normalisation);
        this.multiplier = new FourierMultiplier(manager);
    }

    /** {@code -IFFT2[FFT2(x) / V(t)]} for {@code x} of shape {@code [..., N, N]} and {@code t} in {@code [0, T]}. */
    @Override
    public NDArray score(NDArray x, double t) {
        return multiplier.apply(x, t, () -> negativePrecision(variance(t)));
    }

    /** The per-mode variance {@code V(t)} this score inverts. */
    public double[] variance(double t) {
        return HeatModes.varianceAt(t, forward, spec.alpha(), spec.diffusion(), spec.endTime() / spec.steps());
    }

    /** {@code -1 / V} per mode, 0 where {@code V = 0}. */
    private static double[] negativePrecision(double[] v) {
        double[] w = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            w[i] = v[i] > 0 ? -1 / v[i] : 0;
        }
        return w;
    }

    @Override
    public String describe() {
        return "exact-score";
    }

    @Override
    public void close() {
        multiplier.close();
    }
}
