package dev.smdp4j.physics;

import ai.djl.ndarray.NDArray;
import dev.smdp4j.util.Scalars;

/**
 * The drift of the SMDP stochastic differential equation, as a differentiable operator.
 *
 * <p>Given a batch of states {@code x} of shape {@code [..., N, N]} and a time span {@code d}, it
 * returns the increment {@code P_d(x)} such that the noise-free physics advances {@code x} to
 * {@code x + P_d(x)} (heat benchmark spec: {@code P_d(x) = H_d(x) - x}). Algorithm 1's
 * {@code (t_m - t_{m-1}) P(x)} is {@code increment(x, t_m - t_{m-1})}. Implementations must be
 * differentiable through DJL autograd and must create their results in {@code x}'s manager.
 */
public interface PhysicsModel {

    /** The increment {@code P_d(x)}. */
    NDArray increment(NDArray x, double d);

    /** The state after the noise-free physics step, {@code x + P_d(x)}. */
    default NDArray advance(NDArray x, double d) {
        return x.add(increment(x, d));
    }

    /**
     * The physics part of one step of the reverse-time process over {@code d}, from time {@code t}
     * back to {@code t - d}: an increment {@code R_d(x)} with {@code R_d(x) = -d f(x) + O(d^2)}.
     * SMDP's reverse step ({@code sample.ReverseStep}) is {@code x + R_d(x)} plus the score term.
     * The default is Algorithm 1's {@code -P_d(x)}, the forward increment reversed (explicit Euler
     * backwards); physics whose explicit reversal is unstable (advection) override it.
     */
    default NDArray reverseIncrement(NDArray x, double d) {
        return increment(x, d).neg();
    }

    /**
     * The instantaneous drift {@code f(x) = d/dd P_d(x)} at {@code d = 0}, for integrators that need
     * a rate rather than an increment (e.g. the second-order probability-flow sampler). The default
     * is the first-order difference quotient {@code P_h(x) / h} with {@code h = 1e-3};
     * implementations with a closed form override it.
     */
    default NDArray rate(NDArray x) {
        double h = 1e-3;
        return Scalars.div(increment(x, h), h);
    }

    /**
     * If the noise-free step over {@code d} is a real even Fourier multiplier on {@code n x n}
     * fields (linear and translation invariant, as the heat step), its values on the FFT grid
     * (row-major, {@link FourierMultiplier}); otherwise, the default, {@code null}. It lets linear
     * processes be sampled in closed form (see {@code sde.ForwardSimulation#marginal}).
     */
    default double[] fourierSymbol(int n, double d) {
        return null;
    }

    /** A short name for provenance and messages, e.g. {@code heat-spectral(alpha=1.0)}. */
    String describe();

    /** No physics: {@code P_d(x) = 0}. The reverse process of the HeatGen baseline, whose network must learn the physics. */
    PhysicsModel NONE = new PhysicsModel() {
        @Override
        public NDArray increment(NDArray x, double d) {
            return x.zerosLike();
        }

        @Override
        public NDArray rate(NDArray x) {
            return x.zerosLike();
        }

        @Override
        public String describe() {
            return "none";
        }
    };
}
