package dev.smdp4j;

import ai.djl.ndarray.NDArray;
import dev.smdp4j.physics.PhysicsModel;

/** Physics wrappers for tests. */
public final class TestPhysics {
    private TestPhysics() {}

    /** {@code physics} behind an interface that hides its Fourier symbol: forces the simulation paths. */
    public static PhysicsModel withoutSymbol(PhysicsModel physics) {
        return new PhysicsModel() {
            @Override
            public NDArray increment(NDArray x, double d) {
                return physics.increment(x, d);
            }

            @Override
            public String describe() {
                return physics.describe() + " without its symbol";
            }
        };
    }
}
