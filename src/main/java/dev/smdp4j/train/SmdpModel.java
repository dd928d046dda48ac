package dev.smdp4j.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.nn.MlpNetwork;
import dev.smdp4j.nn.NetworkConfig;
import dev.smdp4j.nn.ScoreNetConfig;
import dev.smdp4j.physics.PhysicsModel;
import dev.smdp4j.sample.PosteriorSampling;
import dev.smdp4j.sample.Samplers;
import dev.smdp4j.sample.Seeding;
import dev.smdp4j.score.NetworkOutput;
import dev.smdp4j.score.ScaledNetworkScore;
import dev.smdp4j.score.ScoreModel;
import dev.smdp4j.sde.Sde;
import dev.smdp4j.sde.TimeGrid;
import dev.smdp4j.util.Hashing;
import dev.smdp4j.util.Seeds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A time-conditioned network that defines a learned reverse process, together with everything
 * needed to use it: the data set's parameters and normalisation it was trained for, and the factor
 * that turns its output into a score. Four methods share it:
 *
 * <ul>
 *   <li>{@link Method#SMDP}: the reverse step {@code x - P_d(x) + d (1/2) g^2 net(x, t)} with the
 *       differentiable heat solver as {@code P}, or a learned surrogate of it
 *       ({@link SurrogatePhysics}, the physics choice {@code surrogate:CKPT}); the network sees
 *       {@code [x, t/T, P_d(x)/(g sqrt d)]} with the same {@code P}.
 *   <li>{@link Method#HEATGEN}: no physics ({@code P = 0}), so the step is {@code x + d (1/2) g^2
 *       net(x, t)} — the HeatGen baseline's {@code x + d net'(x, t)} with {@code net' = g^2 net / 2}, a
 *       fixed rescaling — and the network sees only {@code [x, t/T]}: it must learn the physics too.
 *   <li>{@link Method#ISM}, {@link Method#SSM_VR}: the network is the score ({@code factor = 1}),
 *       trained by {@link ScoreMatchingObjective} without physics; sampled with the data's physics.
 * </ul>
 */
public final class SmdpModel extends ModelBase {
    /** Input channels of the SMDP score network: the field, the time and the physics feature. */
    public static final int IN_CHANNELS = 3;
    /** Validation observations are sampled in batches of this many. */
    private static final int VALIDATION_BATCH = 32;
    /** The metadata's {@code physics} of a model trained with a surrogate physics. */
    private static final String SURROGATE_PHYSICS = "surrogate";

    private final NetworkOutput network;
    private final double scoreFactor;
    /** The reverse step's and the feature's physics (null for HeatGen) and the choice it came from. */
    private final PhysicsModel physics;

    private final String physicsChoice;

    private SmdpModel(
            Method method,
            NetworkConfig config,
            Block block,
            NetworkOutput network,
            DatasetSpec spec,
            Normalisation normalisation,
            double scoreFactor,
            PhysicsModel physics,
            String physicsChoice) {
        super(method, config, block, spec, normalisation);
        this.network = network;
        this.scoreFactor = scoreFactor;
        this.physics = physics;
        this.physicsChoice = physicsChoice;
    }

    /** A freshly initialised SMDP network (weights drawn from the engine's generator seeded with {@code seed}). */
    public static SmdpModel create(
            NDManager manager,
            ScoreNetConfig config,
            DatasetSpec spec,
            Normalisation norm,
            double scoreFactor,
            long seed) {
        return create(manager, Method.SMDP, config, spec, norm, scoreFactor, seed, TrainingOptions.SPECTRAL);
    }

    /**
     * A freshly initialised network; SMDP's physics is {@code physicsChoice} ({@code spectral} or
     * {@code surrogate:CKPT}, see {@link SurrogatePhysics#open}); HeatGen needs {@code spectral} (it has none).
     */
    public static SmdpModel create(
            NDManager manager,
            Method method,
            NetworkConfig config,
            DatasetSpec spec,
            Normalisation norm,
            double scoreFactor,
            long seed,
            String physicsChoice) {
        if (!method.reverseProcess()) {
            throw new IllegalArgumentException(method.id() + " is not a reverse-process method");
        }
        boolean physics = method == Method.SMDP;
        if (!physics && !TrainingOptions.SPECTRAL.equals(physicsChoice)) {
            throw new InvalidInputException("--physics applies to --method smdp only, not " + method.id());
        }
        PhysicsModel drift = physics ? SurrogatePhysics.open(manager, physicsChoice, spec, norm) : null;
        int inChannels = physics ? IN_CHANNELS : 2;
        Block block = config.build(inChannels);
        Engine.getInstance().setRandomSeed((int) (seed ^ (seed >>> 32)));
        block.initialize(
                manager,
                DataType.FLOAT32,
                config.inputShape(inChannels, spec.problem().stateShape()));
        double span = spec.endTime() / spec.steps();
        double noise = spec.diffusion() * Math.sqrt(span);
        ParameterStore store = new ParameterStore(manager, false);
        NetworkOutput net = config.timeConditioned(
                block, store, spec.endTime(), outputScale(method, spec), drift, span, noise > 0 ? 1 / noise : 1);
        if (method.scoreMatching() && !(net instanceof MlpNetwork)) {
            throw new InvalidInputException("--method " + method.id() + " needs the mlp network (its loss uses the "
                    + "network's exact Jacobian-vector products), got "
                    + config.toMap().get("architecture"));
        }
        return new SmdpModel(method, config, block, net, spec, norm, scoreFactor, drift, physicsChoice);
    }

    /** The model stored in a checkpoint written by {@link TrainingRun}, with the physics it was trained with. */
    public static SmdpModel load(NDManager manager, Checkpoint checkpoint) {
        return load(manager, checkpoint, null);
    }

    /**
     * The model stored in a checkpoint, with SMDP's physics {@code physics} ({@code spectral} or
     * {@code surrogate:CKPT}), or null for the one recorded at training (a surrogate must still be
     * at its recorded path with its recorded SHA-256).
     */
    public static SmdpModel load(NDManager manager, Checkpoint checkpoint, String physics) {
        CheckpointMetadata meta = CheckpointMetadata.of(checkpoint);
        Method method = meta.method(checkpoint.file());
        if (!method.reverseProcess()) {
            throw new InvalidInputException(
                    checkpoint.file() + ": not a score-network checkpoint (method '" + method.id() + "')");
        }
        double factor = meta.scoreFactor();
        String choice = physics != null
                ? physics
                : method == Method.SMDP ? recordedPhysics(checkpoint.file(), meta) : TrainingOptions.SPECTRAL;
        return ModelFiles.restore(
                checkpoint, (network, spec, norm) -> create(manager, method, network, spec, norm, factor, 0, choice));
    }

    /** The physics choice an SMDP checkpoint was trained with; its surrogate must be unchanged. */
    private static String recordedPhysics(Path checkpointFile, CheckpointMetadata meta) {
        if (!SURROGATE_PHYSICS.equals(meta.physics())) {
            return TrainingOptions.SPECTRAL;
        }
        if (meta.surrogate() == null || meta.surrogate().file() == null) {
            throw new InvalidInputException(checkpointFile + ": trained with a surrogate physics, but names no file");
        }
        Path file = Path.of(meta.surrogate().file());
        String recorded = meta.surrogate().sha256();
        String hint = "; pass --physics surrogate:CKPT (or spectral) to choose the physics";
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException(checkpointFile + " was trained with the surrogate physics " + file
                    + ", which does not exist" + hint);
        }
        if (!Hashing.sha256(file).equals(recorded)) {
            throw new InvalidInputException(checkpointFile + " was trained with the surrogate physics " + file
                    + " (sha256 " + recorded + "), which has changed since" + hint);
        }
        return SurrogatePhysics.PREFIX + file;
    }

    /**
     * The fixed output scale {@code 2 / (g sqrt(d))}, {@code d = T / M}. The training step adds
     * {@code d (1/2) g^2 net}; with {@code net = scale * raw} it adds {@code g sqrt(d) raw}, so a
     * raw output of order one is a correction of the size of one step's noise, which is the size the
     * optimum has. Without it the network must output values of order {@code 1/(g sqrt(d))}
     * (about 250 on the benchmark) built up from a small initialisation; with the larger scale
     * {@code 2 / (g^2 d)} (raw = correction in field units) one Adam step moved the output by many
     * times the needed precision. A reparametrisation: the function class is unchanged.
     */
    public static double outputScale(DatasetSpec spec) {
        double gRootD = spec.diffusion() * Math.sqrt(spec.endTime() / spec.steps());
        return gRootD > 0 ? 2 / gRootD : 1;
    }

    /**
     * The output scale of {@code method}: {@link #outputScale(DatasetSpec)} for the unrolled losses;
     * {@code 1 / g} for the score-matching baselines, whose network is the score, of size
     * {@code 1 / (g sqrt t)} (so the raw output is of order {@code 1 / sqrt t}).
     */
    public static double outputScale(Method method, DatasetSpec spec) {
        if (method.scoreMatching()) {
            return spec.diffusion() > 0 ? 1 / spec.diffusion() : 1;
        }
        return outputScale(spec);
    }

    /**
     * The SDE whose reverse this model integrates: the data's for SMDP and the score-matching
     * baselines (whose network is the score alone); for HeatGen the same
     * diffusion with no physics drift (the network's output is the whole step).
     */
    public Sde reverseSde(Sde dataSde) {
        if (method == Method.HEATGEN) {
            return new Sde(PhysicsModel.NONE, dataSde.diffusion());
        }
        return physics instanceof SurrogatePhysics ? new Sde(physics, dataSde.diffusion()) : dataSde;
    }

    @Override
    public Objective objective(Sde dataSde, TrainingOptions options) {
        int perField = spec.problem().oneStepTimesPerField();
        if (method.scoreMatching()) {
            return new ScoreMatchingObjective(
                    dataSde,
                    (MlpNetwork) network,
                    spec.endTime(),
                    spec.steps(),
                    options.jitter(),
                    method == Method.SSM_VR,
                    perField > 0 ? perField : ScoreMatchingObjective.TIMES);
        }
        UnrolledOdeObjective unrolled = new UnrolledOdeObjective(
                dataSde,
                reverseSde(dataSde),
                network,
                spec.endTime(),
                spec.steps(),
                options.jitter(),
                options.anchorEvery(),
                options.anchorWeight(),
                options.graphEvaluations());
        UnrolledOdeObjective weighted = spec.problem().earlyTimeWindows() ? unrolled.withEarlyTimes() : unrolled;
        return perField > 0 ? weighted.withIndependentTimes(perField) : weighted;
    }

    @Override
    public Objective reference(Sde dataSde, TrainingOptions options, NDManager manager) {
        NetworkOutput exact =
                method == Method.SMDP ? spec.problem().referenceNetwork(manager, spec, normalisation) : null;
        return exact == null
                ? null
                : new UnrolledOdeObjective(dataSde, exact, spec.endTime(), spec.steps(), options.jitter());
    }

    /** Validation with the {@code ode} and {@code sde} samplers; {@code best.ckpt} is chosen by the ODE MSE. */
    @Override
    public double validate(
            NDManager manager, Sde dataSde, HostArray valX0, HostArray valY, long seed, Map<String, Object> entry) {
        TimeGrid grid = TimeGrid.uniform(spec.endTime(), spec.steps());
        boolean carryOn = spec.problem().metricsScoreDivergence(); // else a diverging path fails the validation
        for (String name : new String[] {"ode", "sde"}) {
            try {
                HostArray pred = PosteriorSampling.run(
                        manager,
                        valY,
                        1,
                        Samplers.create(name),
                        reverseSde(dataSde),
                        score(),
                        grid,
                        Seeding.global(Seeds.derive(seed, "validation-sampling")),
                        VALIDATION_BATCH,
                        !carryOn,
                        null);
                Map<String, Double> metrics = spec.problem().metrics(valX0, pred.reshape(valX0.shape()), spec);
                metrics.forEach((metric, value) -> entry.put("val_" + name + "_" + metric, value));
                if (carryOn) {
                    entry.put("val_" + name + "_diverged", pred.countNonFinite());
                }
            } catch (InvalidInputException diverged) {
                entry.put("val_" + name + "_error", diverged.getMessage()); // a poor early network: record, go on
            }
        }
        return entry.get(selectionMetric()) instanceof Double v ? v : Double.NaN;
    }

    /** The ODE's value of the problem's estimate metric ({@code val_ode_mse} for the heat benchmark). */
    @Override
    public String selectionMetric() {
        return "val_ode_" + spec.problem().estimateMetric();
    }

    /**
     * The SDE sampler's spectral error: what posterior samples are for (realistic fields) and the
     * paper's SDE criterion. Not its MSE, which a sampler lowers by collapsing towards the mean
     * (the exact posterior mean scores 0.62, an exact posterior sample 1.26).
     */
    @Override
    public String posteriorSelectionMetric() {
        return "val_sde_" + spec.problem().posteriorMetric();
    }

    @Override
    public Map<String, Object> metadata() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(
                "physics",
                method != Method.SMDP
                        ? "none"
                        : physics instanceof SurrogatePhysics ? SURROGATE_PHYSICS : TrainingOptions.SPECTRAL);
        if (physics instanceof SurrogatePhysics surrogate) {
            m.put(
                    "surrogate",
                    new CheckpointMetadata.SurrogateFile(surrogate.file().toString(), surrogate.sha256()));
        }
        m.put("score_factor", scoreFactor);
        return m;
    }

    public NetworkOutput network() {
        return network;
    }

    /** The physics of the reverse step and the network's feature ({@code spectral} or {@code surrogate:CKPT}; HeatGen: spectral, unused). */
    public String physicsChoice() {
        return physicsChoice;
    }

    public double scoreFactor() {
        return scoreFactor;
    }

    /** The score {@code factor * net(x, t)}, or with another factor (e.g. to compare readings). */
    public ScoreModel score(double factor) {
        return new ScaledNetworkScore(network, factor);
    }

    public ScoreModel score() {
        return score(scoreFactor);
    }
}
