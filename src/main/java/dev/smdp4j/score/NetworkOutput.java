package dev.smdp4j.score;

import ai.djl.ndarray.NDArray;

/**
 * The raw output {@code net(x, t)} of a score network as it enters the SMDP training step
 * {@code x_{m-1} = x_m - P_d(x_m) + d (1/2) g^2 net(x_m, t_m)} (Algorithm 1, ODE line). How it
 * relates to the score is a separate, explicit choice: see {@link ScaledNetworkScore}.
 */
public interface NetworkOutput {

    /** {@code net(x, t)} for a batch {@code [B, N, N]}, in {@code x}'s manager. */
    NDArray output(NDArray x, double t);

    /**
     * {@code net(x_i, t_i)} with row {@code i} of the batch at time {@code times[i]}: what a training
     * objective uses to decorrelate the times within one update. Networks that take the time as a
     * scalar do not offer it.
     *
     * @throws UnsupportedOperationException unless the network overrides it
     */
    default NDArray output(NDArray x, double[] times) {
        throw new UnsupportedOperationException(
                "network " + describe() + " cannot evaluate rows at different times in one batch");
    }

    /** A short name for provenance. */
    String describe();
}
