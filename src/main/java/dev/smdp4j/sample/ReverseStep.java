package dev.smdp4j.sample;

import ai.djl.ndarray.NDArray;
import dev.smdp4j.score.ScoreModel;
import dev.smdp4j.sde.Sde;
import dev.smdp4j.util.Scalars;

/** The deterministic part of one backward step of Algorithm 1, shared by samplers and training. */
public final class ReverseStep {
    private ReverseStep() {}

    /**
     * {@code x + R_d(x) + lambda d g(t)^2 s(x, t)}: the physics step reversed to first order
     * ({@link dev.smdp4j.physics.PhysicsModel#reverseIncrement}, Algorithm 1's {@code -P_d(x)} unless
     * the physics overrides it) plus the score correction, for a step of length {@code d} back from
     * time {@code t}.
     */
    public static NDArray drift(Sde sde, ScoreModel score, NDArray x, double t, double d, double lambda) {
        double g = sde.diffusion().at(t);
        NDArray s = score.score(x, t);
        return x.add(sde.physics().reverseIncrement(x, d)).add(Scalars.mul(s, lambda * d * g * g));
    }
}
