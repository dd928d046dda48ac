package dev.smdp4j.score;

import ai.djl.ndarray.NDArray;

/**
 * An estimate {@code s(x, t)} of the score {@code grad_x log p_t(x)} of the forward process's
 * marginal at time {@code t}, in normalised units: a learned network or a closed form.
 *
 * <p>Samplers use only this interface, so a closed-form score plugs into the same samplers as a
 * trained network. Implementations take a batch {@code [B, N, N]} and return {@code [B, N, N]}
 * in {@code x}'s manager; they must not keep references to per-call arrays.
 */
public interface ScoreModel {

    /** The score estimate at {@code x} and time {@code t}. */
    NDArray score(NDArray x, double t);

    /** A short name for provenance, e.g. {@code exact-score} or {@code network(ckpt=...)}. */
    String describe();
}
