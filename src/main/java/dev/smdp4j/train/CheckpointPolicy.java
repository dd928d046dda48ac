package dev.smdp4j.train;

import ai.djl.ndarray.NDManager;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.sde.Sde;
import dev.smdp4j.util.EngineArrays;
import dev.smdp4j.util.GaussianNoise;
import dev.smdp4j.util.Interruption;
import dev.smdp4j.util.Seeds;
import dev.smdp4j.util.Shapes;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What a {@link TrainingRun} does between steps: {@code last.ckpt} every few minutes and at every
 * epoch's end (never with weights that just gave a non-finite loss), validation at the end of each
 * stage and of every epoch of the last stage, {@code best.ckpt} at the best selection metric (at
 * every epoch's end without a validation set) and {@code best-sde.ckpt} at the best posterior
 * metric, the history entry and progress line of each epoch, the exact-net loss floor of each
 * stage, and when to stop (interruption, time budget, step limit).
 */
final class CheckpointPolicy implements TrainingLoop.Listener {
    /** Batches of the exact-net reference used to estimate the loss floor of a window. */
    private static final int FLOOR_BATCHES = 8;

    /** The validation fields and their observations (null: no validation set). */
    private final TrainingRun run;

    private final NDManager manager;
    private final Sde sde;
    private final TrainableModel model;
    private final WeightAverage average;
    private final TrainingRun.Validation validation;
    private final Objective floor;
    private final HostArray train;
    private final RunCheckpoints checkpoints;
    private final RunProgress progress;
    private final TrainingLoop loop;
    private final Interruption interruption;

    private long lastSave = System.nanoTime();
    private int floorStage = -1;
    private long stepsTaken;
    /** Steps skipped in a row: while positive, the weights may be the ones that diverged. */
    private int skipStreak;

    CheckpointPolicy(
            TrainingRun run,
            NDManager manager,
            Sde sde,
            TrainableModel model,
            WeightAverage average,
            TrainingRun.Validation validation,
            Objective floor,
            HostArray train,
            RunCheckpoints checkpoints,
            RunProgress progress,
            TrainingLoop loop,
            Interruption interruption) {
        this.run = run;
        this.manager = manager;
        this.sde = sde;
        this.model = model;
        this.average = average;
        this.validation = validation;
        this.floor = floor;
        this.train = train;
        this.checkpoints = checkpoints;
        this.progress = progress;
        this.loop = loop;
        this.interruption = interruption;
        this.stepsTaken = progress.start.step();
    }

    @Override
    public void onStep(Position position, Stage stage, double lr, double loss, boolean applied) {
        stepsTaken = position.step();
        skipStreak = applied ? 0 : skipStreak + 1;
        if (applied && average != null) {
            average.update();
        }
        ensureFloor(position.stage(), stage);
        if (skipStreak == 0 && (System.nanoTime() - lastSave) / 60e9 >= run.checkpointMinutes) {
            saveLast(position);
        }
    }

    /** The exact-net loss floor of a stage, once per stage and process (also when resumed at an epoch's end). */
    private void ensureFloor(int stageIndex, Stage stage) {
        if (floor != null && floorStage != stageIndex) {
            floorStage = stageIndex;
            progress.floors.put(stageIndex, lossFloor(stage));
        }
    }

    @Override
    public void onEpochEnd(int stageIndex, int epoch, Position next, Stage stage, double meanLoss, int skipped) {
        ensureFloor(stageIndex, stage);
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("stage", stageIndex + 1);
        entry.put("epoch", epoch + 1);
        entry.put("window", stage.window());
        entry.put("step", next.step());
        entry.put("loss", meanLoss);
        if (floor != null) {
            entry.put("loss_floor_exact_net", progress.floors.get(stageIndex));
        }
        entry.put("skipped_steps", skipped);
        boolean stageEnd = epoch + 1 == stage.epochs();
        boolean finalStage = stageIndex == run.options.schedule().stages().size() - 1;
        if (validation != null && (stageEnd || finalStage)) {
            RunCheckpoints.withAverage(
                    average,
                    () -> model.validate(manager, sde, validation.x0(), validation.y(), run.options.seed(), entry));
        }
        entry.put("elapsed_seconds", progress.elapsedSeconds());
        progress.history.add(entry);
        if (skipStreak > 0) {
            // Never replace the last good checkpoint with weights that give a non-finite loss.
            checkpoints.writeHistory(progress);
            return;
        }
        saveLast(next);
        if (entry.get(model.selectionMetric()) instanceof Double v && v < progress.best) {
            progress.best = v;
            save(TrainingRun.BEST, next);
        } else if (validation == null) {
            save(TrainingRun.BEST, next);
        }
        String posterior = model.posteriorSelectionMetric();
        if (posterior != null && entry.get(posterior) instanceof Double v && v < progress.bestPosterior) {
            progress.bestPosterior = v;
            save(TrainingRun.BEST_POSTERIOR, next);
        }
        checkpoints.writeHistory(progress);
        if (run.showProgress) {
            System.err.printf(Locale.ROOT, "%n%s epoch done: %s%n", run.label, entry);
        }
    }

    @Override
    public boolean shouldStop() {
        return interruption.requested()
                || stepsTaken >= run.stopAfterSteps
                || (run.budgetMinutes > 0 && (System.nanoTime() - progress.startNanos) / 60e9 >= run.budgetMinutes);
    }

    private void saveLast(Position position) {
        checkpoints.saveLast(position, false, progress, loop.tally());
        lastSave = System.nanoTime();
    }

    private void save(String name, Position position) {
        checkpoints.save(run.out.resolve(name), position, false, progress, loop.tally());
    }

    /** Mean loss of the exact-net reference on a few batches: what a perfect one-step optimum scores. */
    private double lossFloor(Stage stage) {
        int b = Math.min(stage.batch(), train.dim(0));
        double sum = 0;
        for (int i = 0; i < FLOOR_BATCHES; i++) {
            try (NDManager scope = manager.newSubManager()) {
                int from = (i * b) % (train.dim(0) - b + 1);
                var x0 = EngineArrays.of(
                        scope, train.rows(from, from + b).data(), Shapes.batch(b, Shapes.state(train.shape())));
                sum += floor.loss(x0, stage.window(), new GaussianNoise(Seeds.derive(run.options.seed(), "floor/" + i)))
                        .getFloat();
            }
        }
        return sum / FLOOR_BATCHES;
    }
}
