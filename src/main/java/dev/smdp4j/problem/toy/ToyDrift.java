package dev.smdp4j.problem.toy;

import ai.djl.ndarray.NDArray;
import dev.smdp4j.physics.PhysicsModel;
import dev.smdp4j.util.Scalars;

/**
 * The toy SDE's drift {@code f(x) = -lambda sign(x) x^2} as an explicit Euler increment,
 * {@code P_d(x) = -lambda d |x| x}: the step the reference simulates and inverts with. Nonlinear,
 * elementwise, differentiable ({@code d/dx |x| x = 2 |x|}).
 */
public record ToyDrift(double lambda) implements PhysicsModel {

    @Override
    public NDArray increment(NDArray x, double d) {
        return Scalars.mul(x.abs().mul(x), -lambda * d);
    }

    @Override
    public NDArray rate(NDArray x) {
        return Scalars.mul(x.abs().mul(x), -lambda);
    }

    @Override
    public String describe() {
        return "toy-drift(lambda=" + lambda + ")";
    }
}
