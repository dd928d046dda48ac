package dev.smdp4j.train;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.nn.NetworkConfig;
import dev.smdp4j.sde.Sde;
import java.util.Map;

/**
 * A network together with its method: what {@link TrainingRun} trains, checkpoints and validates.
 * Implemented by {@link SmdpModel} (SMDP and HeatGen: a reverse process) and {@link OneShotModel}
 * (the ResNet, BNN and FNO baselines) and {@link SurrogateModel} (a learned one-step physics).
 */
public interface TrainableModel {

    Method method();

    /** The block whose parameters are trained and stored. */
    Block block();

    NetworkConfig architecture();

    /** The data set's parameters the model was built for. */
    DatasetSpec spec();

    Normalisation normalisation();

    /** The method's training loss; {@code dataSde} simulates the true forward process. */
    Objective objective(Sde dataSde, TrainingOptions options);

    /**
     * A closed-form reference evaluated with the same loss (its value is reported beside the
     * training loss as a floor), or null if the method has none.
     */
    default Objective reference(Sde dataSde, TrainingOptions options, NDManager manager) {
        return null;
    }

    /**
     * Validation metrics of the model's predictions for the held-out observations {@code valY}
     * against {@code valX0} (normalised units), put into {@code entry}; returns the metric that
     * selects {@code best.ckpt} (lower is better), or NaN if the prediction failed.
     */
    double validate(
            NDManager manager, Sde dataSde, HostArray valX0, HostArray valY, long seed, Map<String, Object> entry);

    /** The name of the metric {@link #validate} returns, as in {@code history.json}. */
    String selectionMetric();

    /**
     * The validation entry that selects a second checkpoint for posterior sampling,
     * {@code best-sde.ckpt} (lower is better), or null if {@link #selectionMetric} serves every
     * use. One metric cannot serve both samplers of a reverse-process model: measured, the model
     * with the best ODE MSE had an SDE spectral error of 0.87 and a later one 0.58 (docs/HISTORY.md).
     */
    default String posteriorSelectionMetric() {
        return null;
    }

    /** Method-specific entries for the checkpoint's metadata (e.g. the score factor). */
    Map<String, Object> metadata();

    /** The model stored in a checkpoint written by {@link TrainingRun}, whatever its method. */
    static TrainableModel load(NDManager manager, Checkpoint checkpoint) {
        return load(manager, checkpoint, null);
    }

    /**
     * As {@link #load(NDManager, Checkpoint)}, with an SMDP model's physics replaced by
     * {@code physics} ({@code spectral} or {@code surrogate:CKPT}; null = the one it was trained with).
     */
    static TrainableModel load(NDManager manager, Checkpoint checkpoint, String physics) {
        Method method = CheckpointMetadata.of(checkpoint).method(checkpoint.file());
        if (physics != null && method != Method.SMDP) {
            throw new InvalidInputException("--physics applies to SMDP models only; " + checkpoint.file() + " is a "
                    + method.id() + " checkpoint");
        }
        if (method == Method.SURROGATE) {
            return SurrogateModel.load(manager, checkpoint);
        }
        return method.oneShot() ? OneShotModel.load(manager, checkpoint) : SmdpModel.load(manager, checkpoint, physics);
    }

    /** A freshly initialised model for a training run. */
    static TrainableModel create(NDManager manager, TrainingOptions options, DatasetSpec spec, Normalisation norm) {
        if (options.method() == Method.SURROGATE) {
            return SurrogateModel.create(manager, options.network(), spec, norm, options.seed());
        }
        return options.method().oneShot()
                ? OneShotModel.create(manager, options.method(), options.network(), spec, norm, options.seed())
                : SmdpModel.create(
                        manager,
                        options.method(),
                        options.network(),
                        spec,
                        norm,
                        options.scoreFactor(),
                        options.seed(),
                        options.physics());
    }
}
