package dev.smdp4j.train;

import ai.djl.ndarray.NDArray;
import dev.smdp4j.util.GaussianNoise;

/**
 * A training loss: what distinguishes one method from another in the shared training loop
 * (together with its network).
 */
public interface Objective {

    /**
     * The scalar loss on a batch of normalised initial states {@code x0} {@code [B, N, N]} for the
     * given unroll window; every random draw (trajectory noise, time jitter, window start) comes
     * from {@code random}, which the loop seeds per step so that runs are reproducible and resumable.
     */
    NDArray loss(NDArray x0, int window, GaussianNoise random);
}
