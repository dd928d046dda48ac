package dev.smdp4j.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The mutable progress of a training run that its checkpoints record ({@link RunState} is the stored form). */
final class RunProgress {
    /** Where this session starts. */
    final Position start;
    /** The epoch's loss sums this session starts with. */
    final TrainingLoop.Tally startTally;

    final List<Map<String, Object>> history;
    /** The exact-net loss floor of each stage, computed once per stage and process. */
    final Map<Integer, Double> floors = new LinkedHashMap<>();
    /** The best value of the selection metric so far. */
    double best;
    /** The best value of the posterior selection metric so far ({@link TrainableModel#posteriorSelectionMetric}). */
    double bestPosterior;
    /** Training time of the earlier sessions. */
    final double previousSeconds;
    /** When this session started ({@link System#nanoTime}). */
    final long startNanos = System.nanoTime();

    private RunProgress(
            Position start,
            TrainingLoop.Tally startTally,
            List<Map<String, Object>> history,
            double best,
            double bestPosterior,
            double previousSeconds) {
        this.start = start;
        this.startTally = startTally;
        this.history = new ArrayList<>(history);
        this.best = best;
        this.bestPosterior = bestPosterior;
        this.previousSeconds = previousSeconds;
    }

    /** A run from the start. */
    static RunProgress fresh() {
        return new RunProgress(
                Position.START,
                TrainingLoop.Tally.EMPTY,
                List.of(),
                Double.POSITIVE_INFINITY,
                Double.POSITIVE_INFINITY,
                0);
    }

    /** A run resumed from a checkpoint's state. */
    static RunProgress resumed(RunState state) {
        return new RunProgress(
                state.position(),
                state.epochTally(),
                state.history(),
                state.best(),
                state.bestPosterior(),
                state.elapsedSeconds());
    }

    /** Training time so far, over every session. */
    double elapsedSeconds() {
        return previousSeconds + (System.nanoTime() - startNanos) / 1e9;
    }
}
