package dev.smdp4j.sde;

import dev.smdp4j.physics.PhysicsModel;
import java.util.Objects;

/**
 * The SMDP forward process {@code dx = P(x) dt + g(t) dw} (paper, Eq. 1): a physics drift and a
 * diffusion. The reverse-time SDE and the probability-flow ODE (Eqs. 2, 3) are derived from it by
 * the samplers together with a score model.
 */
public record Sde(PhysicsModel physics, Diffusion diffusion) {
    public Sde {
        Objects.requireNonNull(physics, "physics");
        Objects.requireNonNull(diffusion, "diffusion");
    }
}
