package dev.smdp4j.score;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.physics.FourierMultiplier;
import dev.smdp4j.util.GaussianNoise;

/**
 * The exact posterior {@code p(x0 | y)} of the heat benchmark's observation model
 * {@code y = H_T(x0) + s e} (docs/BENCHMARK.md, "Closed form", "Test observations"), in normalised units: the
 * best answer any method can give, as the minimum-MSE estimate (the mean) and as exact samples.
 *
 * <p>Prior, heat step and noise are diagonal in the Fourier basis, so per mode, with prior
 * variance {@code p} ({@link HeatModes#priorVariance}) and gain {@code c = exp(-alpha |k|^2 T)},
 * the posterior is Gaussian with mean {@code c p / (c^2 p + s^2) Y_k} and variance
 * {@code p s^2 / (c^2 p + s^2)}. Where {@code p = 0} (mode 0, the spatial mean, which is zero for
 * every field) both are 0. {@code s = 0} is allowed: the observation is then noise-free, the
 * variance 0 and the mean {@code Y_k / c}; construction fails if some {@code 1 / c} exceeds the
 * float32 range (high modes with large {@code alpha T}), where inverting the heat step is
 * numerically meaningless.
 */
public final class ExactPosterior implements AutoCloseable {
    private static final String MEAN_KEY = "mean";
    private static final String STD_KEY = "std";

    private final double[] meanGain;
    private final double[] variance;
    private final double[] std;
    private final FourierMultiplier multiplier;

    /** The posterior of the data set {@code spec}'s observations in the units of {@code normalisation}. */
    public ExactPosterior(NDManager manager, DatasetSpec spec, Normalisation normalisation) {
        spec.validate();
        int n = spec.gridSize();
        double[] p = HeatModes.priorVariance(spec, normalisation);
        double[] c = HeatModes.heatGain(n, spec.alpha(), spec.endTime());
        double s2 = spec.observationNoise() * spec.observationNoise();
        meanGain = new double[p.length];
        variance = new double[p.length];
        std = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            if (p[i] > 0) {
                double evidence = c[i] * c[i] * p[i] + s2;
                meanGain[i] = c[i] * p[i] / evidence;
                variance[i] = p[i] * s2 / evidence;
                std[i] = Math.sqrt(variance[i]);
            }
        }
        // Fail at construction rather than at first use if a multiplier is not representable.
        FourierMultiplier.validate(meanGain, n);
        FourierMultiplier.validate(std, n);
        multiplier = new FourierMultiplier(manager);
    }

    /** The posterior mean {@code IFFT2[c p / (c^2 p + s^2) FFT2(y)]} of observations {@code [..., N, N]}. */
    public NDArray mean(NDArray y) {
        return multiplier.apply(y, MEAN_KEY, () -> meanGain);
    }

    /**
     * {@code k} exact posterior samples per observation: {@code mean(y) + IFFT2[sqrt(var) FFT2(z)]}
     * with {@code z} white standard normal, drawn from {@code noise} in row-major order of the
     * output. Since {@code FFT2(z)} has {@code E|.|^2 = N^2} per mode and IFFT2 carries
     * {@code 1/N^2}, each sample has unitary per-mode variance {@code var}.
     *
     * @param y observations {@code [B, N, N]}
     * @return samples {@code [B, k, N, N]} in {@code y}'s manager
     */
    public NDArray sample(NDArray y, int k, GaussianNoise noise) {
        Shape shape = y.getShape();
        if (shape.dimension() != 3) {
            throw new IllegalArgumentException("posterior sampling expects observations [B, N, N], got " + shape);
        }
        if (k < 1) {
            throw new IllegalArgumentException("number of samples per observation must be >= 1, got " + k);
        }
        NDArray z = noise.next(y.getManager(), new Shape(shape.get(0), k, shape.get(1), shape.get(2)));
        return multiplier.apply(z, STD_KEY, () -> std).add(mean(y).expandDims(1));
    }

    /** The posterior variance {@code p s^2 / (c^2 p + s^2)} per mode (unitary DFT), {@code N * N} values row-major. */
    public double[] posteriorVariance() {
        return variance.clone();
    }

    @Override
    public void close() {
        multiplier.close();
    }
}
