package dev.smdp4j.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.nn.NetworkConfig;
import dev.smdp4j.nn.UNet;
import dev.smdp4j.sde.Sde;
import dev.smdp4j.util.EngineArrays;
import dev.smdp4j.util.GaussianNoise;
import dev.smdp4j.util.Progress;
import dev.smdp4j.util.Seeds;
import java.util.Map;

/**
 * A one-shot baseline of Table 1 (ResNet, BNN or FNO, "-S" or "-P"): {@code x0 = y + net(y)} in
 * normalised units, one network evaluation per prediction. The BNN's U-Net keeps its channel-wise
 * dropout on at prediction time, so repeated predictions are Monte-Carlo posterior samples; the
 * other networks are deterministic and give identical samples.
 */
public final class OneShotModel extends ModelBase {
    private static final int PREDICTION_BATCH = 32;

    private final ParameterStore store;

    private OneShotModel(
            Method method,
            NetworkConfig config,
            Block block,
            ParameterStore store,
            DatasetSpec spec,
            Normalisation normalisation) {
        super(method, config, block, spec, normalisation);
        this.store = store;
    }

    /** A freshly initialised network (weights drawn from the engine's generator seeded with {@code seed}). */
    public static OneShotModel create(
            NDManager manager, Method method, NetworkConfig config, DatasetSpec spec, Normalisation norm, long seed) {
        if (!method.oneShot()) {
            throw new IllegalArgumentException(method.id() + " is not a one-shot method");
        }
        String architecture = String.valueOf(config.toMap().get("architecture"));
        if (!architecture.equals(method.architecture())) {
            throw new InvalidInputException(
                    "method " + method.id() + " uses a " + method.architecture() + " network, got " + architecture);
        }
        Block block = config.build(1);
        Engine.getInstance().setRandomSeed((int) (seed ^ (seed >>> 32)));
        block.initialize(
                manager, DataType.FLOAT32, config.inputShape(1, spec.problem().stateShape()));
        return new OneShotModel(method, config, block, new ParameterStore(manager, false), spec, norm);
    }

    /** The model stored in a checkpoint written by {@link TrainingRun}. */
    public static OneShotModel load(NDManager manager, Checkpoint checkpoint) {
        Method method = CheckpointMetadata.of(checkpoint).method(checkpoint.file());
        return ModelFiles.restore(checkpoint, (network, spec, norm) -> create(manager, method, network, spec, norm, 0));
    }

    /**
     * {@code y + net(y)} for a batch of normalised observations {@code [B, N, N]}, in {@code y}'s
     * manager; {@code dropout} supplies the BNN's dropout masks (ignored by the other networks).
     */
    public NDArray predict(NDArray y, GaussianNoise dropout) {
        if (block instanceof UNet unet) {
            unet.setDropoutNoise(dropout);
        }
        NDArray out = block.forward(store, new NDList(y.expandDims(1)), true).singletonOrThrow();
        return y.add(out.squeeze(1));
    }

    /**
     * {@code samples} predictions per observation for normalised observations {@code [n, N, N]}:
     * {@code [n, K, N, N]}. The {@code n x K} items are evaluated in batches of 32; the BNN's dropout
     * masks of each batch come from a stream derived from {@code seed} and the batch's position, so
     * the same seed gives the same samples.
     */
    public HostArray predict(NDManager manager, HostArray y, int samples, long seed, Progress progress) {
        int n = y.dim(0);
        int size = y.dim(1);
        int field = size * size;
        long items = (long) n * samples;
        float[] out = new float[Math.toIntExact(items * field)];
        for (long start = 0; start < items; start += PREDICTION_BATCH) {
            int b = (int) Math.min(PREDICTION_BATCH, items - start);
            float[] batch = new float[b * field];
            for (int j = 0; j < b; j++) {
                int observation = (int) ((start + j) / samples);
                System.arraycopy(y.data(), observation * field, batch, j * field, field);
            }
            try (NDManager scope = manager.newSubManager()) {
                NDArray obs = EngineArrays.of(scope, batch, new Shape(b, size, size));
                GaussianNoise dropout = new GaussianNoise(Seeds.derive(Seeds.derive(seed, "prediction"), start));
                System.arraycopy(predict(obs, dropout).toFloatArray(), 0, out, (int) (start * field), b * field);
            }
            if (progress != null) {
                progress.advance(b, "");
            }
        }
        return new HostArray(out, n, samples, size, size);
    }

    @Override
    public Objective objective(Sde dataSde, TrainingOptions options) {
        return new OneShotObjective(this, dataSde, spec);
    }

    /** The problem's validation metrics (heat: MSE and spectral error) of one prediction per held-out observation. */
    @Override
    public double validate(
            NDManager manager, Sde dataSde, HostArray valX0, HostArray valY, long seed, Map<String, Object> entry) {
        HostArray pred = predict(manager, valY, 1, Seeds.derive(seed, "validation-prediction"), null);
        Map<String, Double> metrics = spec.problem().metrics(valX0, pred.reshape(valX0.shape()), spec);
        metrics.forEach((name, value) -> entry.put("val_" + name, value));
        return metrics.get("mse");
    }

    @Override
    public String selectionMetric() {
        return "val_mse";
    }

    @Override
    public Map<String, Object> metadata() {
        return Map.of("prediction", "x0 = y + net(y)", "loss", method.physicsLoss() ? "physics" : "supervised");
    }
}
