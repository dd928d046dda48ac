package dev.smdp4j.train;

import ai.djl.ndarray.NDArray;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.physics.PhysicsModel;
import dev.smdp4j.sde.Sde;
import dev.smdp4j.util.GaussianNoise;
import dev.smdp4j.util.Scalars;

/**
 * The loss of the one-shot baselines. Per batch of initial states {@code x0}, a fresh observation
 * {@code y = H_T(x0) + s e} exactly as in the benchmark (new noise every step, from the step's
 * seeded stream), the prediction {@code x0_pred = y + net(y)}, and
 * <ul>
 *   <li>supervised ("-S"): {@code mean((x0_pred - x0)^2)};
 *   <li>physics ("-P"): {@code mean((H_T(x0_pred) - y)^2)}, through the differentiable solver —
 *       the network never sees {@code x0}.
 * </ul>
 * The window of the schedule does not apply (it must be 1).
 */
final class OneShotObjective implements Objective {
    private final OneShotModel model;
    private final PhysicsModel physics;
    private final double endTime;
    private final float observationNoise;

    OneShotObjective(OneShotModel model, Sde dataSde, DatasetSpec spec) {
        this.model = model;
        this.physics = dataSde.physics();
        this.endTime = spec.endTime();
        this.observationNoise = (float) spec.observationNoise();
    }

    @Override
    public NDArray loss(NDArray x0, int window, GaussianNoise random) {
        NDArray y = physics.advance(x0, endTime);
        if (observationNoise > 0) {
            y = y.add(Scalars.mul(random.next(x0.getManager(), x0.getShape()), observationNoise));
        }
        NDArray pred = model.predict(y, random);
        NDArray residual =
                model.method().physicsLoss() ? physics.advance(pred, endTime).sub(y) : pred.sub(x0);
        return residual.square().mean();
    }
}
