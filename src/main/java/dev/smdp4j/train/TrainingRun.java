package dev.smdp4j.train;

import ai.djl.ndarray.NDManager;
import dev.smdp4j.data.DatasetGenerator;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.DatasetStore;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.AtomicFiles;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.physics.PhysicsModel;
import dev.smdp4j.sde.Diffusion;
import dev.smdp4j.sde.Sde;
import dev.smdp4j.util.Hashing;
import dev.smdp4j.util.Interruption;
import dev.smdp4j.util.Progress;
import dev.smdp4j.util.Seeds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A training run of any {@link Method} in an output directory: data loading and the validation
 * split, the model ({@link TrainableModel}: network and loss) and the shared {@link TrainingLoop}.
 * {@link CheckpointPolicy} decides between steps when to validate and save ({@code last.ckpt} every
 * epoch, every few minutes and on interruption; {@code best.ckpt} at the best validation metric of
 * the method) and {@link RunCheckpoints} writes the checkpoints and {@code history.json}.
 * {@code resume} continues from {@code last.ckpt} exactly where it stopped.
 */
public final class TrainingRun {
    public static final String LAST = "last.ckpt";
    public static final String BEST = "best.ckpt";
    /** The checkpoint for posterior sampling, if the method has a second selection metric. */
    public static final String BEST_POSTERIOR = "best-sde.ckpt";
    /** The label the validation observations' noise seed derives from ({@code Seeds.derive(seed, label)}). */
    private static final String VALIDATION_SEED = "validation";

    public static final String HISTORY = "history.json";

    private final Path dataDir;
    final Path out;
    final TrainingOptions options;
    private final boolean resume;
    final double checkpointMinutes;
    final double budgetMinutes;
    final boolean showProgress;
    long stopAfterSteps = Long.MAX_VALUE;
    private String resumeHint = "continue with the same command plus --resume";
    String label = "train";

    /** The outcome: where training stopped, whether the schedule completed, the best validation MSE. */
    public record Result(Position position, boolean complete, double bestValidationMse, Path last, Path best) {}

    public TrainingRun(
            Path dataDir,
            Path out,
            TrainingOptions options,
            boolean resume,
            double checkpointMinutes,
            double budgetMinutes,
            boolean showProgress) {
        this.dataDir = dataDir;
        this.out = out;
        this.options = options;
        this.resume = resume;
        this.checkpointMinutes = checkpointMinutes;
        this.budgetMinutes = budgetMinutes;
        this.showProgress = showProgress;
    }

    /** Stops (resumably, as on an interruption) once this many optimizer steps were attempted; for tests and fault injection. */
    public TrainingRun stopAfterSteps(long steps) {
        this.stopAfterSteps = steps;
        return this;
    }

    /** The name on the progress lines (default {@code train}); tells runs apart when several print at once. */
    public TrainingRun label(String name) {
        this.label = name;
        return this;
    }

    /** What to tell the user after an interruption, e.g. how {@code smdp reproduce} continues. */
    public TrainingRun resumeHint(String hint) {
        this.resumeHint = hint;
        return this;
    }

    /** Held-out initial states and their observations, normalised units. */
    public record Validation(HostArray x0, HostArray y) {}

    /**
     * The held-out pairs a training with {@code options} validates on (normalised units): the last
     * {@code --val-size} fields of {@code store}'s training data and their observations, the stored
     * end states of imported trajectories or else observations simulated through {@code physics}
     * with a seed derived from the options' seed; null when {@code --val-size} is 0. What {@link
     * #run} uses, for whoever must select on the same data (e.g. {@code pipeline.SdeCalibration}).
     */
    public static Validation validation(
            NDManager manager, PhysicsModel physics, DatasetStore store, TrainingOptions options) {
        boolean trajectories = trainsOnTrajectories(store);
        return validation(
                manager, physics, trainingStates(manager, physics, store), trajectories, store.spec(), options);
    }

    /** Whether training on {@code store} takes its states from trajectories (imported, or fixed by the problem). */
    static boolean trainsOnTrajectories(DatasetStore store) {
        return store.trainsOnTrajectories() || store.spec().problem().fixedTrainingTrajectories();
    }

    /**
     * What training on {@code store} draws its batches from, normalised: the training trajectories
     * {@code [n, M + 1, ...state]} when {@link #trainsOnTrajectories} (stored ones, or for {@link
     * dev.smdp4j.problem.Problem#fixedTrainingTrajectories} the ones {@code smdp generate
     * --trajectories} would store, simulated here with the same seed), else the initial states.
     */
    static HostArray trainingStates(NDManager manager, PhysicsModel physics, DatasetStore store) {
        Normalisation norm = store.normalisation();
        if (!trainsOnTrajectories(store)) {
            return norm.normalise(store.trainX0());
        }
        if (store.hasTrajectories()) {
            return norm.normalise(store.trajectories());
        }
        return DatasetGenerator.trajectories(manager, physics, norm.normalise(store.trainX0()), store.spec());
    }

    private static Validation validation(
            NDManager manager,
            PhysicsModel physics,
            HostArray all,
            boolean trajectories,
            DatasetSpec spec,
            TrainingOptions options) {
        int n = all.dim(0);
        int valSize = options.validationSize();
        if (valSize == 0) {
            return null;
        }
        HostArray held = all.rows(n - valSize, n);
        if (trajectories) {
            return new Validation(held.sliceSecondAxis(0), held.sliceSecondAxis(spec.steps()));
        }
        return new Validation(
                held,
                spec.problem().observe(manager, physics, held, spec, Seeds.derive(options.seed(), VALIDATION_SEED)));
    }

    public Result run(NDManager parent) {
        DatasetStore store = DatasetStore.open(dataDir);
        DatasetSpec spec = store.spec();
        options.schedule().validateFor(spec.steps());
        Normalisation norm = store.normalisation();
        boolean trajectories = trainsOnTrajectories(store);
        int n = store.spec().trainSize();
        int valSize = options.validationSize();
        int maxBatch = options.schedule().stages().stream()
                .mapToInt(Stage::batch)
                .max()
                .orElseThrow();
        if (n - valSize < maxBatch) {
            throw new InvalidInputException("train.npz holds " + n + " fields; after holding out --val-size " + valSize
                    + " fewer than the largest batch (" + maxBatch + ") remain");
        }
        String dataHash = Hashing.sha256(dataDir.resolve(DatasetStore.TRAIN));
        prepareOutput();

        try (NDManager manager = parent.newSubManager();
                Interruption interruption = new Interruption()) {
            PhysicsModel physics = spec.problem().physics(manager, norm);
            // With trajectories the training batches are whole trajectories, and x0 is their first state.
            HostArray all = trainingStates(manager, physics, store);
            HostArray train = all.rows(0, n - valSize);
            Sde sde = new Sde(physics, Diffusion.constant(spec.diffusion()));
            Validation held = validation(manager, physics, all, trajectories, spec, options);
            TrainableModel model = TrainableModel.create(manager, options, spec, norm);
            try (Adam adam = Adam.builder()
                    .clip(options.clip())
                    .weightDecay(options.weightDecay())
                    .build(model.block())) {
                if (!resume && options.init() != null) {
                    RunCheckpoints.warmStart(options, model, Path.of(options.init()));
                }
                // Created after the warm start: the average starts from the weights training starts from.
                try (WeightAverage average =
                        options.averageDecay() > 0 ? new WeightAverage(model.block(), options.averageDecay()) : null) {
                    RunCheckpoints checkpoints =
                            new RunCheckpoints(dataDir, out, options, model, adam, average, spec, norm, dataHash);
                    RunProgress progress = resume ? checkpoints.restore() : RunProgress.fresh();
                    Validation validation = held;
                    return train(
                            manager,
                            sde,
                            model,
                            adam,
                            average,
                            checkpoints,
                            progress,
                            train,
                            validation,
                            interruption,
                            trajectories);
                }
            }
        }
    }

    /** The training proper, with the run's model, optimizer, (if any) weight average and progress in place. */
    private Result train(
            NDManager manager,
            Sde sde,
            TrainableModel model,
            Adam adam,
            WeightAverage average,
            RunCheckpoints checkpoints,
            RunProgress progress,
            HostArray train,
            Validation validation,
            Interruption interruption,
            boolean trajectories) {
        Objective objective =
                trajectories ? model.objective(sde, options).onStoredTrajectories() : model.objective(sde, options);
        Objective floor = trajectories ? null : model.reference(sde, options, manager);
        TrainingLoop loop = new TrainingLoop(
                manager,
                objective,
                adam,
                train,
                options.schedule(),
                options.seed(),
                options.augment() && !trajectories); // stored trajectories are used as they are
        Progress bar = new Progress(label, loop.totalSteps(), "steps", showProgress);
        bar.resumeAt(progress.start.step());
        CheckpointPolicy policy = new CheckpointPolicy(
                this,
                manager,
                sde,
                model,
                average,
                validation,
                floor,
                train,
                checkpoints,
                progress,
                loop,
                interruption);
        Position end;
        try {
            end = loop.run(progress.start, progress.startTally, policy, bar);
        } catch (TrainingDivergedException e) {
            bar.finish("diverged");
            Path last = out.resolve(LAST);
            throw new InvalidInputException(
                    "training diverged: " + e.getMessage() + "; "
                            + (Files.isRegularFile(last)
                                    ? "the last good checkpoint " + last + " is kept (start a new "
                                            + "run from its weights with --init " + last + ")"
                                    : "no checkpoint was written before the divergence"),
                    e);
        }
        boolean complete = end.stage() >= options.schedule().stages().size();
        checkpoints.saveLast(end, complete, progress, loop.tally());
        bar.finish(complete ? "done" : "stopped");
        if (interruption.requested()) {
            // Printed before the interruption is released: the JVM exits as soon as it is.
            System.err.printf(
                    Locale.ROOT,
                    "interrupted: stopped at step %d; %s is complete; %s%n",
                    end.step(),
                    out.resolve(LAST),
                    resumeHint);
            System.err.flush();
        }
        if (complete && validation == null) {
            checkpoints.save(out.resolve(BEST), end, true, progress, loop.tally());
        }
        checkpoints.writeHistory(progress);
        return new Result(end, complete, progress.best, out.resolve(LAST), out.resolve(BEST));
    }

    private void prepareOutput() {
        AtomicFiles.createDirectories(out);
        if (!resume && Files.exists(out.resolve(LAST))) {
            throw new InvalidInputException(out + " already holds a training run (" + LAST
                    + "); continue it with --resume or choose another --out");
        }
        if (resume && !Files.exists(out.resolve(LAST))) {
            throw new InvalidInputException("--resume: no " + LAST + " in " + out + " to resume from");
        }
    }
}
