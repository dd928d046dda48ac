package dev.smdp4j.problem;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.nn.NetworkConfig;
import dev.smdp4j.physics.GaussianPrior;
import dev.smdp4j.physics.PhysicsModel;
import dev.smdp4j.sample.MapEstimate;
import dev.smdp4j.score.NetworkOutput;
import dev.smdp4j.score.ScoreModel;
import dev.smdp4j.sde.Diffusion;
import dev.smdp4j.sde.ForwardSimulation;
import dev.smdp4j.sde.Sde;
import dev.smdp4j.sde.TimeGrid;
import dev.smdp4j.train.Method;
import dev.smdp4j.util.EngineArrays;
import dev.smdp4j.util.GaussianNoise;
import dev.smdp4j.util.Scalars;
import dev.smdp4j.util.Scopes;
import dev.smdp4j.util.Shapes;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A physical process that SMDP inverts, with its own parameters: what the rest of the library
 * asks of a physics. An instance is immutable and carries the values of its parameters (a record
 * is the natural implementation); the protocol parameters every problem shares (sizes, {@code T},
 * {@code M}, {@code g}, observation noise, seed) live in {@link DatasetSpec}.
 *
 * <p>Register a problem with {@link Problems#register} to make it available by name to
 * {@code dataset.json}, checkpoints and the command line. States are arrays of
 * {@link #stateShape()}; a batch of them is {@code [B, ...stateShape]}. Everything is in the
 * normalised units of the data set ({@link #normalisation}).
 */
public interface Problem {

    /** The registered name, e.g. {@code heat} or {@code toy-sde}. */
    String name();

    /** The shape of one state, e.g. {@code {32, 32}} for the heat benchmark or {@code {1}} for a scalar SDE. */
    int[] stateShape();

    /**
     * This problem's own parameters, in the order they are written to {@code dataset.json} and
     * checkpoints; {@link Problems#fromParameters} rebuilds the problem from them.
     */
    Map<String, Object> parameters();

    /** The protocol's defaults for this problem (sizes, {@code T}, {@code M}, {@code g}, noise, seed). */
    DatasetSpec defaultSpec();

    /**
     * The differentiable noise-free drift in normalised units: {@code increment(x, d)} advances a
     * batch of states by {@code d}. Its arrays live in {@code manager}.
     */
    PhysicsModel physics(NDManager manager, Normalisation normalisation);

    /**
     * The noise-free end states {@code [n, ...state]} of initial states {@code x0} (normalised units):
     * this problem's physics over the data set's time grid, {@code M} steps of {@code T / M} (what
     * {@code smdp simulate} writes, and what reconstruction metrics compare).
     */
    default HostArray simulate(NDManager manager, HostArray x0, DatasetSpec spec, Normalisation normalisation) {
        try (NDManager scope = manager.newSubManager()) {
            PhysicsModel physics = physics(scope, normalisation);
            NDArray first = EngineArrays.of(scope, x0.data(), Shapes.batch(x0.dim(0), stateShape()));
            NDArray x = first;
            double span = spec.endTime() / spec.steps();
            for (int m = 0; m < spec.steps(); m++) {
                x = Scopes.replace(scope, x, first, v -> physics.advance(v, span));
            }
            return new HostArray(x.toFloatArray(), x0.shape());
        }
    }

    /** {@code count} initial states drawn from the prior with {@code seed}, physical units, {@code [count, ...stateShape]}. */
    HostArray initialStates(NDManager manager, int count, long seed);

    /** Throws {@link dev.smdp4j.io.InvalidInputException} naming the first impossible parameter of the problem itself. */
    default void checkParameters() {}

    /**
     * Problem-specific checks of a data set's parameters beyond {@link DatasetSpec#validate()};
     * throws {@link dev.smdp4j.io.InvalidInputException} naming the first impossible one. The
     * default requires positive forward noise (the reverse SDE and its score need it).
     */
    default void validate(DatasetSpec spec) {
        if (!(spec.diffusion() > 0)) {
            throw new dev.smdp4j.io.InvalidInputException("--diffusion g must be > 0 (the reverse SDE and its "
                    + "score need forward noise), got " + spec.diffusion());
        }
    }

    /** The normalisation of a training set: by default the mean and standard deviation of every value. */
    default Normalisation normalisation(HostArray trainX0) {
        return Normalisation.of(trainX0);
    }

    /**
     * Observations of normalised initial states: by default the end of a noisy forward trajectory
     * (Euler-Maruyama on the uniform grid of {@code spec}), plus observation noise {@code s e}.
     * Problems with an exact solver override it (the heat benchmark observes {@code H_T(x0) + s e}).
     */
    default HostArray observe(NDManager manager, PhysicsModel physics, HostArray x0, DatasetSpec spec, long seed) {
        GaussianNoise noise = new GaussianNoise(seed);
        Sde sde = new Sde(physics, Diffusion.constant(spec.diffusion()));
        TimeGrid grid = TimeGrid.uniform(spec.endTime(), spec.steps());
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = EngineArrays.of(scope, x0.data(), Shapes.batch(x0.dim(0), Shapes.state(x0.shape())));
            NDArray end = ForwardSimulation.trajectory(sde, grid, x, noise).get(":, -1");
            if (spec.observationNoise() > 0) {
                end = end.add(Scalars.mul(noise.next(scope, end.getShape()), spec.observationNoise()));
            }
            return new HostArray(end.toFloatArray(), x0.shape());
        }
    }

    /** The methods this problem can train; by default all but the heat-specific ones. */
    Set<Method> methods();

    /** The default network of {@code method} for this problem. */
    NetworkConfig defaultNetwork(Method method);

    /**
     * The default graph budget of the unrolled losses (network evaluations of single states kept in
     * one autograd graph; 0 = no limit): by default the heat benchmark's 64 fields of 32 x 32.
     * Problems with small states raise it or lift it, since checkpointing costs time.
     */
    default int graphEvaluations() {
        return 64;
    }

    /**
     * Engine (intra-op) threads the commands ask for when they start the engine for this problem;
     * 0, the default, keeps the engine's own choice (one per core). Problems of tiny states ask for 1
     * (see {@link dev.smdp4j.util.Engines#newManager(int)}).
     */
    default int engineThreads() {
        return 0;
    }

    /**
     * Whether the unrolled losses draw half of their window starts log-uniformly, weighting the
     * steps near {@code t = 0} (see {@code UnrolledOdeObjective#withEarlyTimes}); default: no, the
     * paper's uniform starts.
     */
    default boolean earlyTimeWindows() {
        return false;
    }

    /**
     * One-step terms per field in the window-1 batches of SMDP training, each at its own time
     * (see {@code UnrolledOdeObjective#withIndependentTimes}); 0, the default, trains one time per
     * batch, as the paper. Fastest with networks that take a time per row in one pass (the MLP).
     */
    default int oneStepTimesPerField() {
        return 0;
    }

    /**
     * Whether every method trains on one fixed set of noisy trajectories of the training fields,
     * simulated once at the start of training with the data set's seed (the reference's set-up,
     * and the only one that lets the baselines see the very same trajectories), instead of fresh
     * simulations per batch; default: no. Data sets whose trajectories are stored use them.
     */
    default boolean fixedTrainingTrajectories() {
        return false;
    }

    /**
     * Whether {@link #metrics} score estimates that left finite values (as failures, e.g. the toy's
     * mode hits count them as misses), so that a training's validation carries a diverging path on
     * and scores it, instead of recording the whole validation as failed; default: no (an MSE over
     * a non-finite estimate means nothing).
     */
    default boolean metricsScoreDivergence() {
        return false;
    }

    /** The default window schedule of {@code method} for this problem. */
    String defaultSchedule(Method method);

    /**
     * Metrics of estimates {@code [n, ...stateShape]} against the true initial states (normalised
     * units), as means over the set; lower is better for every entry. It must contain {@code mse}.
     */
    Map<String, Double> metrics(HostArray truthX0, HostArray estimates, DatasetSpec spec);

    /**
     * The mean squared difference of {@code estimates} and {@code truth} over all their values (the
     * {@code mse} of problems without a metric of their own); an {@link InvalidInputException}
     * naming {@code problem} if their sizes differ.
     */
    static double meanSquaredError(HostArray truth, HostArray estimates, String problem) {
        float[] t = truth.data();
        float[] e = estimates.data();
        if (t.length != e.length) {
            throw new InvalidInputException(
                    problem + " metrics: " + t.length + " true values but " + e.length + " estimates");
        }
        double se = 0;
        for (int i = 0; i < t.length; i++) {
            se += (e[i] - t[i]) * (double) (e[i] - t[i]);
        }
        return se / t.length;
    }

    /** The entry of {@link #metrics} that selects {@code best.ckpt}, the estimate model (by the ODE's predictions). */
    default String estimateMetric() {
        return "mse";
    }

    /** The entry of {@link #metrics} that selects the checkpoint for posterior sampling ({@code best-sde.ckpt}). */
    default String posteriorMetric() {
        return "mse";
    }

    /**
     * A closed-form network output with which the training loss can be evaluated as a floor (the
     * heat benchmark's exact score), or null when the problem has none.
     */
    default NetworkOutput referenceNetwork(NDManager manager, DatasetSpec spec, Normalisation normalisation) {
        return null;
    }

    /**
     * The prior of initial states in {@code normalisation}'s units, if it is Gaussian: what the MAP
     * estimate ({@code sample.MapEstimate}) needs; by default {@code null} (not Gaussian, e.g. the
     * toy's two points). The caller closes it.
     */
    default GaussianPrior gaussianPrior(NDManager manager, DatasetSpec spec, Normalisation normalisation) {
        return null;
    }

    /** The closed forms usable in place of a checkpoint (e.g. {@code exact-score}); none by default. */
    default List<String> closedForms() {
        return List.of();
    }

    /**
     * The closed form {@code name} as a score for the samplers ({@code factor}: the score factor of
     * closed-form network outputs), or null when it reconstructs directly
     * ({@link #closedFormSamples}). Its arrays live in {@code manager}.
     */
    default ScoreModel closedFormScore(
            NDManager manager, String name, DatasetSpec spec, Normalisation normalisation, double factor) {
        if (MAP.equals(name)) {
            return null;
        }
        throw new IllegalArgumentException("problem " + name() + " has no closed form '" + name + "'");
    }

    /**
     * Samples {@code [n, K, ...state]} (or the mean, {@code K = 0} giving one) of a direct closed
     * form, normalised units; by default the {@link #MAP} estimate, one per observation.
     */
    default HostArray closedFormSamples(
            NDManager manager,
            String name,
            DatasetSpec spec,
            Normalisation normalisation,
            HostArray y,
            int samples,
            long seed) {
        if (MAP.equals(name)) {
            return mapEstimate(manager, spec, normalisation, y);
        }
        throw new IllegalArgumentException("problem " + name() + " has no direct closed form '" + name + "'");
    }

    /**
     * Whether a keyed reconstruction ({@code smdp sample}, {@code sample-batch}) may pass the
     * direct closed form {@code name} many observations at once: only if it draws no random
     * numbers and batches them itself in fixed, consecutive chunks, so that an observation's result
     * is the same wherever the input is split. Otherwise it is computed one observation at a time,
     * each from its own seed. By default only {@link #MAP}.
     */
    default boolean closedFormInFixedBatches(String name) {
        return MAP.equals(name);
    }

    /**
     * The name of the MAP estimate through the differentiable physics among the closed forms
     * ({@link #mapEstimate}), for problems with a {@link #gaussianPrior}: no training, and
     * deterministic.
     */
    String MAP = "map";

    /** Observations per engine batch of {@link #mapEstimate}: fixed, so that an estimate does not depend on how the input is split. */
    int MAP_CHUNK = 16;

    /**
     * The standard deviation the MAP estimate assumes for an observation's error about the
     * noise-free physics, normalised units: by default {@code sqrt(s^2 + g^2 T)}, the observation
     * noise plus the forward process's accumulated noise as if the physics neither damped nor
     * amplified it (an overestimate where it dissipates). Problems whose observations carry no
     * forward noise override it.
     */
    default double mapNoise(DatasetSpec spec) {
        double s = spec.observationNoise();
        double g = spec.diffusion();
        return Math.sqrt(s * s + g * g * spec.endTime());
    }

    /**
     * MAP estimates {@code [n, 1, ...state]} of normalised observations {@code y} through this
     * problem's physics on the data set's time grid ({@code sample.MapEstimate}), in batches of
     * {@link #MAP_CHUNK}.
     *
     * @throws InvalidInputException if this problem's prior is not Gaussian
     */
    default HostArray mapEstimate(NDManager manager, DatasetSpec spec, Normalisation normalisation, HostArray y) {
        return mapEstimate(manager, spec, normalisation, y, MapEstimate.Settings.defaults());
    }

    /** {@link #mapEstimate(NDManager, DatasetSpec, Normalisation, HostArray)} with other minimiser settings. */
    default HostArray mapEstimate(
            NDManager manager,
            DatasetSpec spec,
            Normalisation normalisation,
            HostArray y,
            MapEstimate.Settings settings) {
        int n = y.dim(0);
        int[] state = Shapes.state(y.shape());
        float[] out = new float[y.size()];
        int size = y.size() / Math.max(1, n);
        try (NDManager scope = manager.newSubManager();
                GaussianPrior prior = gaussianPrior(scope, spec, normalisation)) {
            if (prior == null) {
                throw new InvalidInputException("problem " + name() + " has no Gaussian prior, so no MAP estimate");
            }
            MapEstimate map = new MapEstimate(
                    physics(scope, normalisation),
                    TimeGrid.uniform(spec.endTime(), spec.steps()),
                    prior,
                    mapNoise(spec),
                    settings);
            for (int start = 0; start < n; start += MAP_CHUNK) {
                int b = Math.min(MAP_CHUNK, n - start);
                try (NDManager chunk = scope.newSubManager()) {
                    NDArray obs =
                            EngineArrays.of(chunk, y.rows(start, start + b).data(), Shapes.batch(b, state));
                    float[] x0 = map.estimate(obs).x0().toFloatArray();
                    System.arraycopy(x0, 0, out, start * size, x0.length);
                }
            }
        }
        return new HostArray(out, Shapes.prepend(n, Shapes.prepend(1, state)));
    }

    /** The names of parameters in which {@code other} differs from this problem, as "name this vs other". */
    default List<String> differences(Problem other) {
        if (!name().equals(other.name())) {
            return List.of("problem " + name() + " vs " + other.name());
        }
        return parameters().entrySet().stream()
                .filter(e -> !e.getValue().equals(other.parameters().get(e.getKey())))
                .map(e -> e.getKey() + " " + e.getValue() + " vs "
                        + other.parameters().get(e.getKey()))
                .toList();
    }

    /** {@code [count, ...stateShape]}. */
    default int[] batchShape(int count) {
        int[] s = stateShape();
        int[] out = new int[s.length + 1];
        out[0] = count;
        System.arraycopy(s, 0, out, 1, s.length);
        return out;
    }

    /** The number of values in one state. */
    default int stateSize() {
        return Arrays.stream(stateShape()).reduce(1, Math::multiplyExact);
    }
}
