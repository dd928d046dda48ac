package dev.smdp4j.sample;

import ai.djl.ndarray.NDArray;
import dev.smdp4j.util.Scalars;

/**
 * Heun's second-order method for the probability-flow ODE (paper, Eq. 2) integrated backward:
 * {@code dx/dt = f(x) - (1/2) g(t)^2 s(x, t)} with the physics' instantaneous drift
 * {@code f = PhysicsModel.rate}. (Using the exact increment {@code P_d} in place of {@code d f}
 * would cap the order at one, since {@code P_d} carries its own {@code d^2} term.) The last step into
 * {@code t_0} is a plain Euler step, so the score is never evaluated at {@code t = 0}, where a
 * network was never trained; one first-order step keeps the global order two.
 */
public final class HeunSampler extends Sampler {

    @Override
    public String name() {
        return "ode-heun";
    }

    @Override
    protected NDArray step(NDArray x, int m, Context c) {
        double d = c.span(m);
        NDArray k1 = velocity(x, c.grid().time(m), c);
        NDArray euler = x.sub(Scalars.mul(k1, d));
        if (m == 1) {
            return euler;
        }
        NDArray k2 = velocity(euler, c.grid().time(m - 1), c);
        return x.sub(Scalars.mul(k1.add(k2), d / 2));
    }

    private static NDArray velocity(NDArray x, double t, Context c) {
        double g = c.sde().diffusion().at(t);
        return c.sde().physics().rate(x).sub(Scalars.mul(c.score().score(x, t), 0.5 * g * g));
    }
}
