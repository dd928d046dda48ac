package dev.smdp4j.sde;

/** The diffusion coefficient {@code g(t)} of the SDE {@code dx = P(x) dt + g(t) dw}. */
@FunctionalInterface
public interface Diffusion {

    /** {@code g} at time {@code t}. */
    double at(double t);

    /** A constant diffusion {@code g} (the paper: 0.1). */
    static Diffusion constant(double g) {
        if (!(g >= 0) || Double.isInfinite(g)) {
            throw new IllegalArgumentException("diffusion g must be finite and >= 0, got " + g);
        }
        return t -> g;
    }
}
