package dev.smdp4j.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.nn.NetworkConfig;
import dev.smdp4j.nn.SurrogateNet;
import dev.smdp4j.nn.SurrogateNetConfig;
import dev.smdp4j.physics.PhysicsModel;
import dev.smdp4j.sde.ForwardSimulation;
import dev.smdp4j.sde.Sde;
import dev.smdp4j.sde.TimeGrid;
import dev.smdp4j.util.EngineArrays;
import dev.smdp4j.util.GaussianNoise;
import dev.smdp4j.util.Scalars;
import dev.smdp4j.util.Seeds;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A learned one-step physics {@code P_d(x)} ({@link Method#SURROGATE}): a {@link SurrogateNet}
 * trained on states of simulated noisy forward trajectories, as the SMDP trainer sees them, against
 * the increment of the data's own simulator. It is itself a differentiable {@link PhysicsModel}
 * (in the normalised units of its data set); {@link SurrogatePhysics} loads one from a checkpoint
 * to be SMDP's drift.
 *
 * <p>Loss per batch: one random state index {@code m} in {@code 0..M} of fresh trajectories, a
 * span {@code d = s T/M} with {@code s = 1} half of the time (the step SMDP uses) and
 * {@code s ~ U(0, maxSpan]} otherwise, and the relative squared error
 * {@code sum((P^_d(x) - P_d(x))^2) / sum(P_d(x)^2)}, so the loss is scale-free (1 = predicting zero).
 */
public final class SurrogateModel extends ModelBase implements PhysicsModel {
    private static final int VALIDATION_BATCH = 32;

    private final SurrogateNetConfig surrogateConfig;
    private final ParameterStore store;

    /**
     * One-step and rollout accuracy of a physics model against a reference, over held-out states.
     *
     * @param oneStep relative L2 error of the increment {@code P_d(x)} over every state
     *     {@code x_0..x_M} of noisy trajectories, {@code d = T/M}
     * @param rollout relative L2 error of the accumulated change {@code x_M - x_0} of a noise-free
     *     rollout of {@code M} steps from {@code x_0}
     * @param rolloutMax the largest such error over the rollout's {@code M} intermediate times
     */
    public record Accuracy(double oneStep, double rollout, double rolloutMax) {}

    private SurrogateModel(
            SurrogateNetConfig config,
            SurrogateNet block,
            ParameterStore store,
            DatasetSpec spec,
            Normalisation normalisation) {
        super(Method.SURROGATE, config, block, spec, normalisation);
        this.surrogateConfig = config;
        this.store = store;
    }

    /** A freshly initialised surrogate (weights drawn from the engine's generator seeded with {@code seed}). */
    public static SurrogateModel create(
            NDManager manager, NetworkConfig config, DatasetSpec spec, Normalisation norm, long seed) {
        if (!(config instanceof SurrogateNetConfig c)) {
            throw new InvalidInputException("method surrogate uses a surrogate-net network, got "
                    + config.toMap().get("architecture"));
        }
        SurrogateNet block = c.build(1);
        Engine.getInstance().setRandomSeed((int) (seed ^ (seed >>> 32)));
        block.initialize(manager, DataType.FLOAT32, new Shape(1, 1, spec.gridSize(), spec.gridSize()), new Shape(1, 1));
        return new SurrogateModel(c, block, new ParameterStore(manager, false), spec, norm);
    }

    /** The model stored in a checkpoint written by {@link TrainingRun}. */
    public static SurrogateModel load(NDManager manager, Checkpoint checkpoint) {
        String method = CheckpointMetadata.of(checkpoint).method();
        if (!Method.SURROGATE.id().equals(method)) {
            throw new InvalidInputException(checkpoint.file() + ": not a physics surrogate (method '" + method
                    + "'); train one with 'smdp train --method surrogate'");
        }
        return ModelFiles.restore(checkpoint, (network, spec, norm) -> create(manager, network, spec, norm, 0));
    }

    /** The step {@code T/M} of the data set the surrogate learned from; spans are inputs relative to it. */
    public double referenceSpan() {
        return spec.endTime() / spec.steps();
    }

    /**
     * The learned {@code P_d(x)} for fields {@code [..., N, N]} in normalised units, differentiable,
     * in {@code x}'s manager, for any span (the network's semigroup form, see {@link SurrogateNet}).
     */
    @Override
    public NDArray increment(NDArray x, double d) {
        if (!(d >= 0) || Double.isInfinite(d)) {
            throw new IllegalArgumentException("time span d must be finite and >= 0, got " + d);
        }
        Shape shape = x.getShape();
        int dims = shape.dimension();
        int n = spec.gridSize();
        if (dims < 2 || shape.get(dims - 1) != n || shape.get(dims - 2) != n) {
            throw new InvalidInputException(
                    "the physics surrogate was trained on " + n + "x" + n + " fields, got " + shape);
        }
        NDArray span = EngineArrays.of(x.getManager(), new float[] {(float) (d / referenceSpan())}, new Shape(1, 1));
        return block.forward(store, new NDList(x.reshape(-1, 1, n, n), span), false)
                .singletonOrThrow()
                .reshape(shape);
    }

    @Override
    public String describe() {
        return "surrogate(" + surrogateConfig + ")";
    }

    @Override
    public Objective objective(Sde dataSde, TrainingOptions options) {
        PhysicsModel truth = dataSde.physics();
        TimeGrid grid = TimeGrid.uniform(spec.endTime(), spec.steps());
        return (x0, window, random) -> {
            int m = (int) Math.floor(random.nextUniform() * (spec.steps() + 1));
            double s = random.nextUniform() < 0.5 ? 1 : surrogateConfig.maxSpan() * (1 - random.nextUniform());
            NDArray x = ForwardSimulation.trajectory(dataSde, grid, x0, random).get(":, " + m);
            double d = s * referenceSpan();
            NDArray target = truth.increment(x, d);
            return increment(x, d)
                    .sub(target)
                    .square()
                    .sum()
                    .div(Scalars.add(target.square().sum(), 1e-20f));
        };
    }

    /** Accuracy against the data's simulator on trajectories of the held-out fields; selected by the one-step error. */
    @Override
    public double validate(
            NDManager manager, Sde dataSde, HostArray valX0, HostArray valY, long seed, Map<String, Object> entry) {
        Accuracy a = accuracy(manager, this, dataSde, valX0, spec, Seeds.derive(seed, "surrogate-validation"));
        entry.put("val_one_step_rel_l2", a.oneStep());
        entry.put("val_rollout_rel_l2", a.rollout());
        entry.put("val_rollout_max_rel_l2", a.rolloutMax());
        return a.oneStep();
    }

    /**
     * The {@link Accuracy} of {@code model} against {@code dataSde}'s physics (the reference) on
     * normalised initial states {@code x0 [n, N, N]}, with seeded trajectory noise, on the time grid
     * of {@code spec}.
     */
    public static Accuracy accuracy(
            NDManager manager, PhysicsModel model, Sde dataSde, HostArray x0, DatasetSpec spec, long seed) {
        PhysicsModel truth = dataSde.physics();
        int steps = spec.steps();
        double d = spec.endTime() / steps;
        TimeGrid grid = TimeGrid.uniform(spec.endTime(), steps);
        int size = x0.dim(1);
        double oneError = 0;
        double oneNorm = 0;
        double[] rollError = new double[steps + 1];
        double[] rollNorm = new double[steps + 1];
        for (int start = 0; start < x0.dim(0); start += VALIDATION_BATCH) {
            int end = Math.min(x0.dim(0), start + VALIDATION_BATCH);
            try (NDManager scope = manager.newSubManager()) {
                NDArray initial =
                        EngineArrays.of(scope, x0.rows(start, end).data(), new Shape(end - start, size, size));
                NDArray states = ForwardSimulation.trajectory(
                        dataSde, grid, initial, new GaussianNoise(Seeds.derive(seed, start)));
                for (int m = 0; m <= steps; m++) {
                    NDArray x = states.get(":, " + m);
                    NDArray reference = truth.increment(x, d);
                    oneError += sumOfSquares(model.increment(x, d).sub(reference));
                    oneNorm += sumOfSquares(reference);
                }
                NDArray exact = initial;
                NDArray learned = initial;
                for (int m = 1; m <= steps; m++) {
                    exact = truth.advance(exact, d);
                    learned = model.advance(learned, d);
                    rollError[m] += sumOfSquares(learned.sub(exact));
                    rollNorm[m] += sumOfSquares(exact.sub(initial));
                }
            }
        }
        double worst = 0;
        for (int m = 1; m <= steps; m++) {
            worst = Math.max(worst, Math.sqrt(rollError[m] / rollNorm[m]));
        }
        return new Accuracy(Math.sqrt(oneError / oneNorm), Math.sqrt(rollError[steps] / rollNorm[steps]), worst);
    }

    private static double sumOfSquares(NDArray a) {
        return a.square().sum().toType(DataType.FLOAT64, false).getDouble();
    }

    @Override
    public String selectionMetric() {
        return "val_one_step_rel_l2";
    }

    @Override
    public Map<String, Object> metadata() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("physics_learned", "heat-spectral(alpha=" + spec.alpha() + ")");
        m.put("reference_span", referenceSpan());
        return m;
    }
}
