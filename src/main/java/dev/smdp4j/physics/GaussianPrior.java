package dev.smdp4j.physics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;

/**
 * A zero-mean Gaussian prior on states, given by its square root: {@code x = C^(1/2) z} maps white
 * noise {@code z} (the state's shape) to a draw of the prior. Estimators that work in the whitened
 * coordinates {@code z} (the prior's quadratic form is then {@code |z|^2 / 2}) need nothing else;
 * see {@code sample.MapEstimate}.
 */
public interface GaussianPrior extends AutoCloseable {

    /** {@code C^(1/2) z} for a batch {@code z} of states, differentiable in {@code z}, in {@code z}'s manager. */
    NDArray colour(NDArray z);

    /**
     * A guess of the inverse curvature of {@code |F(C^(1/2) z) - y|^2 / (2 s^2) + |z|^2 / 2} in
     * {@code z}, applied to {@code gradient}, for optimisers to start from; by default the identity
     * (the prior term's own curvature).
     */
    default NDArray precondition(NDArray gradient, double noise) {
        return gradient;
    }

    /** A short description for provenance, e.g. {@code grf(exponent=4.0)}. */
    String describe();

    @Override
    void close();

    /**
     * A prior diagonal in the unitary Fourier basis of periodic {@code N x N} fields (a Gaussian
     * random field): mode {@code k} has variance {@code variance[k]} (row-major over FFT indices,
     * even in {@code k}; 0 for modes the prior does not vary).
     */
    static GaussianPrior fourierDiagonal(NDManager manager, double[] variance, String description) {
        int n = (int) Math.round(Math.sqrt(variance.length));
        double[] root = new double[variance.length];
        double[] p = variance.clone();
        for (int i = 0; i < variance.length; i++) {
            if (!(variance[i] >= 0) || Double.isInfinite(variance[i])) {
                throw new IllegalArgumentException(
                        "prior variance at FFT index " + i + " must be finite and >= 0, got " + variance[i]);
            }
            root[i] = Math.sqrt(variance[i]);
        }
        FourierMultiplier.validate(root, n);
        FourierMultiplier multiplier = new FourierMultiplier(manager);
        return new GaussianPrior() {
            @Override
            public NDArray colour(NDArray z) {
                return multiplier.apply(z, "prior-root", () -> root);
            }

            /** Per mode {@code 1 / (1 + p / s^2)}: exact when the physics keeps every mode's amplitude. */
            @Override
            public NDArray precondition(NDArray gradient, double noise) {
                double[] w = new double[variance.length];
                for (int i = 0; i < w.length; i++) {
                    w[i] = 1 / (1 + p[i] / (noise * noise));
                }
                return multiplier.apply(gradient, List.of("precondition", noise), () -> w);
            }

            @Override
            public String describe() {
                return description;
            }

            @Override
            public void close() {
                multiplier.close();
            }
        };
    }
}
