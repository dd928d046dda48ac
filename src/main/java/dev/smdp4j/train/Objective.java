package dev.smdp4j.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
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

    /**
     * The loss of {@link #loss} and, if it is finite, its gradients accumulated into the trained
     * parameters; returns the loss value (NaN or infinite if it diverged). The default records the
     * whole loss in one autograd graph; an objective may override it to trade memory for compute
     * (e.g. {@link UnrolledOdeObjective}'s gradient checkpointing) as long as the value and the
     * gradients stay those of {@link #loss} up to float reordering.
     */
    default double lossAndBackward(NDArray x0, int window, GaussianNoise random) {
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray loss = loss(x0, window, random);
            double value = loss.getFloat();
            if (Double.isFinite(value)) {
                collector.backward(loss);
            }
            return value;
        }
    }

    /**
     * {@link #lossAndBackward(NDArray, int, GaussianNoise)} for a schedule stage: its window, and
     * whatever else of the stage the objective uses (by default nothing else).
     */
    default double lossAndBackward(NDArray x0, Stage stage, GaussianNoise random) {
        return lossAndBackward(x0, stage.window(), random);
    }

    /**
     * This objective on batches of stored trajectories {@code [B, M + 1, ...state]} (a data set
     * imported with {@code smdp import}) instead of initial states; objectives that need to
     * simulate or observe refuse.
     */
    default Objective onStoredTrajectories() {
        throw new dev.smdp4j.io.InvalidInputException("this method cannot train on stored trajectories (it needs "
                + "initial states and the problem's simulator); use smdp, heatgen, ism or ssm-vr");
    }
}
