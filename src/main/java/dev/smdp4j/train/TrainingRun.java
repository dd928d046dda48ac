package dev.smdp4j.train;

import dev.smdp4j.io.ParameterIO;
import dev.smdp4j.io.Checkpoint;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.smdp4j.Version;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.DatasetStore;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.Json;
import dev.smdp4j.physics.PhysicsModel;
import dev.smdp4j.sde.Diffusion;
import dev.smdp4j.sde.Sde;
import dev.smdp4j.util.GaussianNoise;
import dev.smdp4j.util.Hashing;
import dev.smdp4j.util.Interruption;
import dev.smdp4j.util.Progress;
import dev.smdp4j.util.Seeds;
import dev.smdp4j.util.Shapes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import dev.smdp4j.util.EngineArrays;

/**
 * A training run of any {@link Method} in an output directory: data loading and the validation
 * split, the model ({@link TrainableModel}: network and loss), the shared {@link TrainingLoop},
 * checkpoints ({@code last.ckpt} every epoch, every few minutes and on interruption;
 * {@code best.ckpt} at the best validation metric of the method), validation, and
 * {@code history.json}. {@code resume} continues from {@code last.ckpt} exactly where it stopped.
 */
public final class TrainingRun {
    public static final String LAST = "last.ckpt";
    public static final String BEST = "best.ckpt";
    /** The checkpoint for posterior sampling, if the method has a second selection metric. */
    public static final String BEST_POSTERIOR = "best-sde.ckpt";
    public static final String HISTORY = "history.json";
    /** Batches of the exact-net reference used to estimate the loss floor of a window. */
    private static final int FLOOR_BATCHES = 8;

    private final Path dataDir;
    private final Path out;
    private final TrainingOptions options;
    private final boolean resume;
    private final double checkpointMinutes;
    private final double budgetMinutes;
    private final boolean showProgress;
    private long stopAfterSteps = Long.MAX_VALUE;
    private String resumeHint = "continue with the same command plus --resume";
    private String label = "train";

    /** The outcome: where training stopped, whether the schedule completed, the best validation MSE. */
    public record Result(Position position, boolean complete, double bestValidationMse, Path last, Path best) {
    }

    public TrainingRun(Path dataDir, Path out, TrainingOptions options, boolean resume, double checkpointMinutes,
            double budgetMinutes, boolean showProgress) {
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

    public Result run(NDManager parent) {
        DatasetStore store = DatasetStore.open(dataDir);
        DatasetSpec spec = store.spec();
        options.schedule().validateFor(spec.steps());
        Normalisation norm = store.normalisation();
        boolean trajectories = store.trainsOnTrajectories();
        // Imported data: the training batches are whole stored trajectories, and x0 is their first state.
        HostArray all = norm.normalise(trajectories ? store.trajectories() : store.trainX0());
        int n = all.dim(0);
        int valSize = options.validationSize();
        int maxBatch = options.schedule().stages().stream().mapToInt(Stage::batch).max().orElseThrow();
        if (n - valSize < maxBatch) {
            throw new InvalidInputException("train.npz holds " + n + " fields; after holding out --val-size " + valSize
                    + " fewer than the largest batch (" + maxBatch + ") remain");
        }
        HostArray train = all.rows(0, n - valSize);
        HostArray held = all.rows(n - valSize, n);
        HostArray valX0 = trajectories ? held.sliceSecondAxis(0) : held;
        HostArray valEnd = trajectories ? held.sliceSecondAxis(spec.steps()) : null;
        String dataHash = Hashing.sha256(dataDir.resolve(DatasetStore.TRAIN));
        prepareOutput();

        try (NDManager manager = parent.newSubManager();
                Interruption interruption = new Interruption()) {
            PhysicsModel physics = spec.problem().physics(manager, norm);
            Sde sde = new Sde(physics, Diffusion.constant(spec.diffusion()));
            HostArray valY = valSize == 0 ? null : trajectories ? valEnd
                    : spec.problem().observe(manager, physics, valX0, spec, Seeds.derive(options.seed(), "validation"));
            TrainableModel model = TrainableModel.create(manager, options, spec, norm);
            try (Adam adam = Adam.builder().clip(options.clip()).weightDecay(options.weightDecay()).build(model.block())) {
                if (!resume && options.init() != null) {
                    warmStart(model, Path.of(options.init()));
                }
                try (WeightAverage average = options.averageDecay() > 0
                        ? new WeightAverage(model.block(), options.averageDecay()) : null) {
                    return train(manager, sde, model, adam, average, spec, norm, dataHash, train, valX0, valY,
                            interruption, trajectories);
                }
            }
        }
    }

    /** The training proper, with the run's model, optimizer and (if any) weight average in place. */
    private Result train(NDManager manager, Sde sde, TrainableModel model, Adam adam, WeightAverage average,
            DatasetSpec spec, Normalisation norm, String dataHash, HostArray train, HostArray valX0, HostArray valY,
            Interruption interruption, boolean trajectories) {
        State state = resume ? restore(model, adam, average, spec, dataHash) : new State(Position.START,
                new ArrayList<>(), Double.POSITIVE_INFINITY, 0);
        Objective objective = trajectories ? model.objective(sde, options).onStoredTrajectories()
                : model.objective(sde, options);
        Objective floor = trajectories ? null : model.reference(sde, options, manager);
        TrainingLoop loop = new TrainingLoop(manager, objective, adam, train, options.schedule(), options.seed(),
                options.augment() && !trajectories); // stored trajectories are used as they are
        Saver saver = new Saver(model, adam, average, spec, norm, dataHash, state, loop);
        long startNanos = System.nanoTime();
        Progress progress = new Progress(label, loop.totalSteps(), "steps", showProgress);
        progress.resumeAt(state.position.step());
        Position end;
        try {
            end = loop.run(state.position, state.tally, new TrainingLoop.Listener() {
                long lastSave = System.nanoTime();
                int floorStage = -1;
                long stepsTaken = state.position.step();
                /** Steps skipped in a row: while positive, the weights may be the ones that diverged. */
                int skipStreak;

                @Override
                public void onStep(Position position, Stage stage, double lr, double loss, boolean applied) {
                    stepsTaken = position.step();
                    skipStreak = applied ? 0 : skipStreak + 1;
                    if (applied && average != null) {
                        average.update();
                    }
                    ensureFloor(position.stage(), stage);
                    if (skipStreak == 0 && (System.nanoTime() - lastSave) / 60e9 >= checkpointMinutes) {
                        saver.saveLast(position, false, elapsed(state, startNanos));
                        lastSave = System.nanoTime();
                    }
                }

                /** The exact-net loss floor of a stage, once per stage and process (also when resumed at an epoch's end). */
                private void ensureFloor(int stageIndex, Stage stage) {
                    if (floor != null && floorStage != stageIndex) {
                        floorStage = stageIndex;
                        state.floors.put(stageIndex, lossFloor(manager, floor, train, stage));
                    }
                }

                @Override
                public void onEpochEnd(int stageIndex, int epoch, Position next, Stage stage, double meanLoss,
                        int skipped) {
                    ensureFloor(stageIndex, stage);
                    Map<String, Object> entry = new LinkedHashMap<>();
                    entry.put("stage", stageIndex + 1);
                    entry.put("epoch", epoch + 1);
                    entry.put("window", stage.window());
                    entry.put("step", next.step());
                    entry.put("loss", meanLoss);
                    if (floor != null) {
                        entry.put("loss_floor_exact_net", state.floors.get(stageIndex));
                    }
                    entry.put("skipped_steps", skipped);
                    boolean stageEnd = epoch + 1 == stage.epochs();
                    boolean finalStage = stageIndex == options.schedule().stages().size() - 1;
                    if (valY != null && (stageEnd || finalStage)) {
                        withAverage(average, () -> model.validate(manager, sde, valX0, valY, options.seed(),
                                entry));
                    }
                    entry.put("elapsed_seconds", elapsed(state, startNanos));
                    state.history.add(entry);
                    if (skipStreak > 0) {
                        // Never replace the last good checkpoint with weights that give a non-finite loss.
                        writeHistory(state);
                        return;
                    }
                    saver.saveLast(next, false, elapsed(state, startNanos));
                    lastSave = System.nanoTime();
                    Object mse = entry.get(model.selectionMetric());
                    if (mse instanceof Double v && v < state.bestMse) {
                        state.bestMse = v;
                        saver.save(out.resolve(BEST), next, false, elapsed(state, startNanos));
                    } else if (valY == null) {
                        saver.save(out.resolve(BEST), next, false, elapsed(state, startNanos));
                    }
                    String posterior = model.posteriorSelectionMetric();
                    if (posterior != null && entry.get(posterior) instanceof Double v && v < state.bestPosterior) {
                        state.bestPosterior = v;
                        saver.save(out.resolve(BEST_POSTERIOR), next, false, elapsed(state, startNanos));
                    }
                    writeHistory(state);
                    if (showProgress) {
                        System.err.printf(Locale.ROOT, "%n%s epoch done: %s%n", label, entry);
                    }
                }

                @Override
                public boolean shouldStop() {
                    return interruption.requested() || stepsTaken >= stopAfterSteps
                            || (budgetMinutes > 0 && (System.nanoTime() - startNanos) / 60e9 >= budgetMinutes);
                }
            }, progress);
        } catch (TrainingDivergedException e) {
            progress.finish("diverged");
            Path last = out.resolve(LAST);
            throw new InvalidInputException("training diverged: " + e.getMessage() + "; "
                    + (Files.isRegularFile(last) ? "the last good checkpoint " + last + " is kept (start a new "
                            + "run from its weights with --init " + last + ")"
                            : "no checkpoint was written before the divergence"), e);
        }
        boolean complete = end.stage() >= options.schedule().stages().size();
        saver.saveLast(end, complete, elapsed(state, startNanos));
        progress.finish(complete ? "done" : "stopped");
        if (interruption.requested()) {
            // Printed before the interruption is released: the JVM exits as soon as it is.
            System.err.printf(Locale.ROOT, "interrupted: stopped at step %d; %s is complete; %s%n", end.step(),
                    out.resolve(LAST), resumeHint);
            System.err.flush();
        }
        if (complete && valY == null) {
            saver.save(out.resolve(BEST), end, true, elapsed(state, startNanos));
        }
        writeHistory(state);
        return new Result(end, complete, state.bestMse, out.resolve(LAST), out.resolve(BEST));
    }

    /** Runs {@code action} with the averaged weights in the block, if there is an average. */
    private static void withAverage(WeightAverage average, Runnable action) {
        if (average == null) {
            action.run();
            return;
        }
        average.swap();
        try {
            action.run();
        } finally {
            average.swap();
        }
    }

    private double elapsed(State state, long startNanos) {
        return state.previousSeconds + (System.nanoTime() - startNanos) / 1e9;
    }

    private void prepareOutput() {
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new InvalidInputException("cannot create output directory " + out + ": " + e.getMessage(), e);
        }
        if (!resume && Files.exists(out.resolve(LAST))) {
            throw new InvalidInputException(out + " already holds a training run (" + LAST
                    + "); continue it with --resume or choose another --out");
        }
        if (resume && !Files.exists(out.resolve(LAST))) {
            throw new InvalidInputException("--resume: no " + LAST + " in " + out + " to resume from");
        }
    }

    /** Mutable progress of the run that checkpoints record. */
    private static final class State {
        final Position position;
        final List<Map<String, Object>> history;
        final Map<Integer, Double> floors = new LinkedHashMap<>();
        TrainingLoop.Tally tally = TrainingLoop.Tally.EMPTY;
        double bestMse;
        /** The best value of the posterior selection metric so far (see {@link TrainableModel#posteriorSelectionMetric}). */
        double bestPosterior = Double.POSITIVE_INFINITY;
        final double previousSeconds;

        State(Position position, List<Map<String, Object>> history, double bestMse, double previousSeconds) {
            this.position = position;
            this.history = history;
            this.bestMse = bestMse;
            this.previousSeconds = previousSeconds;
        }
    }

    /** Restores parameters, optimizer state, position and history from last.ckpt, after checking it matches. */
    /** Loads the network weights of {@code file} (same architecture required); the optimizer starts fresh. */
    private void warmStart(TrainableModel model, Path file) {
        Checkpoint ckpt = Checkpoint.read(file);
        JsonNode net = ckpt.metadata().path("network");
        if (!options.method().id().equals(ckpt.metadata().path("method").asText())) {
            throw new InvalidInputException("--init " + file + ": a " + ckpt.metadata().path("method").asText()
                    + " checkpoint, not " + options.method().id());
        }
        if (!Json.mapper().valueToTree(options.network().toMap()).equals(net)) {
            throw new InvalidInputException("--init " + file + ": its network " + net + " differs from the requested "
                    + options.network().toMap());
        }
        try {
            ParameterIO.load(model.block(), ckpt.tensors());
        } catch (InvalidInputException e) {
            throw new InvalidInputException("--init " + file + ": " + e.getMessage(), e);
        }
    }

    private State restore(TrainableModel model, Adam adam, WeightAverage average, DatasetSpec spec, String dataHash) {
        Checkpoint ckpt = Checkpoint.read(out.resolve(LAST));
        JsonNode meta = ckpt.metadata();
        ObjectMapper mapper = Json.mapper();
        List<String> differences = new ArrayList<>();
        JsonNode saved = meta.path("training");
        mapper.valueToTree(options.toMap()).fields().forEachRemaining(e -> {
            if (!e.getValue().asText().equals(saved.path(e.getKey()).asText())) {
                differences.add(e.getKey() + " (checkpoint " + saved.path(e.getKey()) + ", now " + e.getValue() + ")");
            }
        });
        if (!mapper.valueToTree(options.network().toMap()).equals(meta.path("network"))) {
            differences.add("network (checkpoint " + meta.path("network") + ")");
        }
        if (!dataHash.equals(meta.path("dataset").path("train_sha256").asText())) {
            differences.add("training data (train.npz content differs)");
        }
        if (!differences.isEmpty()) {
            throw new InvalidInputException("--resume: " + out.resolve(LAST) + " was written with other settings: "
                    + String.join("; ", differences));
        }
        if (meta.path("complete").asBoolean(false)) {
            throw new InvalidInputException("--resume: the run in " + out + " is already complete");
        }
        ParameterIO.load(model.block(), ckpt.tensors());
        adam.importState(ckpt.tensors());
        if (average != null) {
            // The checkpoint's parameters are the average and its average state the raw weights: swap back.
            average.importState(ckpt.tensors());
            average.swap();
        }
        JsonNode p = meta.path("position");
        Position position = new Position(p.path("stage").asInt(), p.path("epoch").asInt(), p.path("iteration").asInt(),
                p.path("step").asLong());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> history = mapper.convertValue(meta.path("history"), List.class);
        double best = meta.path("best_val_ode_mse").isNumber() ? meta.path("best_val_ode_mse").asDouble()
                : Double.POSITIVE_INFINITY;
        State state = new State(position, history == null ? new ArrayList<>() : new ArrayList<>(history), best,
                meta.path("elapsed_seconds").asDouble(0));
        if (meta.path("best_posterior_selection").isNumber()) {
            state.bestPosterior = meta.path("best_posterior_selection").asDouble();
        }
        JsonNode tally = meta.path("epoch_tally");
        if (tally.isObject()) {
            state.tally = new TrainingLoop.Tally(tally.path("loss_sum").asDouble(), tally.path("counted").asInt(),
                    tally.path("skipped").asInt());
        }
        return state;
    }

    /** Writes checkpoints with the run's metadata. */
    private final class Saver {
        private final TrainableModel model;
        private final Adam adam;
        private final WeightAverage average;
        private final DatasetSpec spec;
        private final Normalisation norm;
        private final String dataHash;
        private final State state;

        private final TrainingLoop loop;

        Saver(TrainableModel model, Adam adam, WeightAverage average, DatasetSpec spec, Normalisation norm,
                String dataHash, State state, TrainingLoop loop) {
            this.loop = loop;
            this.model = model;
            this.adam = adam;
            this.average = average;
            this.spec = spec;
            this.norm = norm;
            this.dataHash = dataHash;
            this.state = state;
        }

        void saveLast(Position position, boolean complete, double elapsedSeconds) {
            save(out.resolve(LAST), position, complete, elapsedSeconds);
        }

        void save(Path file, Position position, boolean complete, double elapsedSeconds) {
            Map<String, Object> meta = new LinkedHashMap<>();
            meta.put("method", model.method().id());
            meta.put("network", model.architecture().toMap());
            meta.putAll(model.metadata());
            meta.put("parameters", model.block().getParameters().stream().mapToLong(p -> p.getValue().getArray().size()).sum());
            Map<String, Object> dataset = new LinkedHashMap<>();
            dataset.put("dir", dataDir.toAbsolutePath().toString());
            dataset.put("parameters", spec.toMap());
            dataset.put("normalisation", Map.of("mean", norm.mean(), "std", norm.std()));
            dataset.put("train_sha256", dataHash);
            meta.put("dataset", dataset);
            meta.put("training", options.toMap());
            meta.put("position", Map.of("stage", position.stage(), "epoch", position.epoch(), "iteration",
                    position.iteration(), "step", position.step()));
            // Mid-epoch: the epoch's loss sums so far, so that a resumed run's history equals an uninterrupted one.
            TrainingLoop.Tally tally = position.iteration() == 0 ? TrainingLoop.Tally.EMPTY : loop.tally();
            meta.put("epoch_tally", Map.of("loss_sum", tally.lossSum(), "counted", tally.counted(), "skipped",
                    tally.skipped()));
            meta.put("complete", complete);
            meta.put("optimizer_steps", adam.steps());
            meta.put("selection_metric", model.selectionMetric());
            meta.put("best_val_ode_mse", Double.isFinite(state.bestMse) ? state.bestMse : null);
            if (model.posteriorSelectionMetric() != null) {
                meta.put("posterior_selection_metric", model.posteriorSelectionMetric());
                meta.put("best_posterior_selection", Double.isFinite(state.bestPosterior) ? state.bestPosterior : null);
            }
            meta.put("elapsed_seconds", elapsedSeconds);
            meta.put("saved", Instant.now().toString());
            meta.put("history", state.history);
            // With an average, the parameters saved are the averaged ones (what validation measured and
            // what sampling should use); the raw training weights go with the training state.
            Map<String, HostArray> tensors = new LinkedHashMap<>();
            withAverage(average, () -> {
                tensors.putAll(ParameterIO.export(model.block()));
                if (average != null) {
                    tensors.putAll(average.exportState());
                }
            });
            tensors.putAll(adam.exportState());
            Checkpoint.write(file, meta, tensors);
        }
    }

    private void writeHistory(State state) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("library", Version.label());
        doc.put("commit", Version.commit());
        doc.put("training", options.toMap());
        doc.put("network", options.network().toMap());
        doc.put("epochs", state.history);
        Json.write(out.resolve(HISTORY), doc);
    }

    /** Mean loss of the exact-net reference on a few batches: what a perfect one-step optimum scores. */
    private double lossFloor(NDManager manager, Objective floor, HostArray train, Stage stage) {
        int b = Math.min(stage.batch(), train.dim(0));
        double sum = 0;
        for (int i = 0; i < FLOOR_BATCHES; i++) {
            try (NDManager scope = manager.newSubManager()) {
                int from = (i * b) % (train.dim(0) - b + 1);
                var x0 = EngineArrays.of(scope, train.rows(from, from + b).data(),
                        Shapes.batch(b, Shapes.state(train.shape())));
                sum += floor.loss(x0, stage.window(), new GaussianNoise(Seeds.derive(options.seed(), "floor/" + i)))
                        .getFloat();
            }
        }
        return sum / FLOOR_BATCHES;
    }
}
