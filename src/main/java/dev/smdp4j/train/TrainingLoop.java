package dev.smdp4j.train;

import ai.djl.ndarray.NDManager;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.util.EngineArrays;
import dev.smdp4j.util.GaussianNoise;
import dev.smdp4j.util.Progress;
import dev.smdp4j.util.Seeds;
import dev.smdp4j.util.Shapes;
import java.util.SplittableRandom;

/**
 * The one training loop shared by every method: for each stage of the window schedule and each
 * epoch, a seeded permutation of the training fields in batches; per batch, the method's
 * {@link Objective} under a gradient collector, then one {@link Adam} step with the stage's
 * learning rate. Non-finite losses or gradients skip the step (counted); too many in a row stop
 * the run with {@link TrainingDivergedException}. Listeners see every step and every epoch end
 * (checkpoints, validation, logs). Each step runs in its own {@code NDManager} scope.
 */
public final class TrainingLoop {
    /** Consecutive skipped steps after which training is declared diverged. */
    public static final int MAX_CONSECUTIVE_SKIPS = 25;
    /** Skipped steps in a row at the very end of the schedule that also count as divergence. */
    public static final int MIN_FINAL_SKIPS = 3;

    /** Receives progress; all methods are optional. */
    public interface Listener {
        /**
         * After each attempted step, with the position the next step starts from (an iteration
         * equal to the epoch's length means: the epoch's end is next); {@code loss} is NaN for a
         * skipped step.
         */
        default void onStep(Position position, Stage stage, double lr, double loss, boolean applied) {}

        /** After epoch {@code epoch} of stage {@code stageIndex}, with the position the next epoch starts from. */
        default void onEpochEnd(int stageIndex, int epoch, Position next, Stage stage, double meanLoss, int skipped) {}

        /** Checked before every step; returning true stops the loop at a step boundary. */
        default boolean shouldStop() {
            return false;
        }
    }

    /** The running sums of the current epoch, saved with mid-epoch checkpoints so that a resumed epoch's mean is exact. */
    public record Tally(
            @com.fasterxml.jackson.annotation.JsonProperty("loss_sum")
            double lossSum,

            int counted,
            int skipped) {
        public static final Tally EMPTY = new Tally(0, 0, 0);
    }

    private final NDManager manager;
    private Tally tally = Tally.EMPTY;
    private final Objective objective;
    private final Adam adam;
    private final HostArray train;
    private final WindowSchedule schedule;
    private final long seed;
    private final boolean augment;

    /**
     * {@code train}: normalised training states {@code [n, ...state]}; {@code augment} (random flips
     * and quarter turns) needs square two-dimensional states {@code [n, N, N]}.
     */
    public TrainingLoop(
            NDManager manager,
            Objective objective,
            Adam adam,
            HostArray train,
            WindowSchedule schedule,
            long seed,
            boolean augment) {
        if (augment && (train.rank() != 3 || train.dim(1) != train.dim(2))) {
            throw new dev.smdp4j.io.InvalidInputException("augmentation (flips and quarter turns) needs square "
                    + "two-dimensional states, got training states of shape " + train.shapeString());
        }
        this.manager = manager;
        this.objective = objective;
        this.adam = adam;
        this.train = train;
        this.schedule = schedule;
        this.seed = seed;
        this.augment = augment;
    }

    /** Iterations in one epoch of {@code stage}: full batches only, so every step sees the same batch size. */
    public int iterationsPerEpoch(Stage stage) {
        return Math.max(1, train.dim(0) / stage.batch());
    }

    /** Total optimizer steps of the whole schedule. */
    public long totalSteps() {
        long total = 0;
        for (Stage s : schedule.stages()) {
            total += (long) s.epochs() * iterationsPerEpoch(s);
        }
        return total;
    }

    /** The current epoch's sums so far (for checkpoints written from a listener or after a stop). */
    public Tally tally() {
        return tally;
    }

    /** Runs from {@code start} to the end of the schedule or until a listener asks to stop; returns where it stopped. */
    public Position run(Position start, Listener listener, Progress progress) {
        return run(start, Tally.EMPTY, listener, progress);
    }

    /**
     * As {@link #run(Position, Listener, Progress)}, resuming mid-epoch with that epoch's sums so
     * far ({@code partial}, ignored when {@code start} is at an epoch's beginning).
     */
    public Position run(Position start, Tally partial, Listener listener, Progress progress) {
        long step = start.step();
        int consecutiveSkips = 0;
        for (int s = start.stage(); s < schedule.stages().size(); s++) {
            Stage stage = schedule.stages().get(s);
            int perEpoch = iterationsPerEpoch(stage);
            for (int e = s == start.stage() ? start.epoch() : 0; e < stage.epochs(); e++) {
                int[] order = permutation(s, e);
                int first = s == start.stage() && e == start.epoch() ? start.iteration() : 0;
                Tally resumed = first > 0 ? partial : Tally.EMPTY;
                double lossSum = resumed.lossSum();
                int counted = resumed.counted();
                int skipped = resumed.skipped();
                tally = resumed;
                for (int it = first; it < perEpoch; it++) {
                    if (listener.shouldStop()) {
                        return new Position(s, e, it, step);
                    }
                    double fraction = ((double) e * perEpoch + it) / ((double) stage.epochs() * perEpoch);
                    double lr = stage.learningRate(fraction);
                    double loss = step(order, it, stage, new GaussianNoise(iterationSeed(s, e, it)));
                    boolean applied;
                    if (Double.isFinite(loss)) {
                        applied = adam.step(lr);
                    } else {
                        adam.discardGradients(); // whatever part of the loss was back-propagated
                        applied = false;
                    }
                    step++;
                    if (applied) {
                        consecutiveSkips = 0;
                        lossSum += loss;
                        counted++;
                    } else {
                        skipped++;
                        if (++consecutiveSkips >= MAX_CONSECUTIVE_SKIPS) {
                            throw new TrainingDivergedException(consecutiveSkips
                                    + " consecutive steps had a non-finite "
                                    + "loss or gradient (stage " + (s + 1) + ", window " + stage.window() + ", lr " + lr
                                    + "); lower the learning rate of this stage in --schedule");
                        }
                    }
                    tally = new Tally(lossSum, counted, skipped);
                    listener.onStep(new Position(s, e, it + 1, step), stage, lr, applied ? loss : Double.NaN, applied);
                    if (progress != null) {
                        progress.advance(
                                1,
                                String.format(
                                        java.util.Locale.ROOT,
                                        "stage %d/%d window %d lr %.1e loss %.4g",
                                        s + 1,
                                        schedule.stages().size(),
                                        stage.window(),
                                        lr,
                                        loss));
                    }
                }
                Position next =
                        e + 1 < stage.epochs() ? new Position(s, e + 1, 0, step) : new Position(s + 1, 0, 0, step);
                tally = Tally.EMPTY;
                listener.onEpochEnd(s, e, next, stage, counted > 0 ? lossSum / counted : Double.NaN, skipped);
            }
        }
        if (consecutiveSkips >= MIN_FINAL_SKIPS) {
            // A schedule shorter than the limit must not end "complete" with weights that give non-finite losses.
            throw new TrainingDivergedException(
                    "the last " + consecutiveSkips + " steps of the schedule had a non-finite "
                            + "loss or gradient; lower the learning rate in --schedule");
        }
        return new Position(schedule.stages().size(), 0, 0, step);
    }

    /** One forward/backward pass; returns the loss (NaN or infinite if it diverged). */
    private double step(int[] order, int it, Stage stage, GaussianNoise random) {
        int size = train.strideOfFirstAxis();
        int b = stage.batch();
        float[] batch = new float[b * size];
        for (int j = 0; j < b; j++) {
            int field = order[it * b + j];
            if (augment) {
                int symmetry = (int) (random.nextUniform() * 8);
                Augmentation.apply(symmetry, train.data(), field * size, batch, j * size, train.dim(1));
            } else {
                System.arraycopy(train.data(), field * size, batch, j * size, size);
            }
        }
        try (NDManager scope = manager.newSubManager()) {
            return objective.lossAndBackward(
                    EngineArrays.of(scope, batch, Shapes.batch(b, Shapes.state(train.shape()))), stage, random);
        }
    }

    private long iterationSeed(int stage, int epoch, int iteration) {
        return Seeds.derive(Seeds.derive(seed, "step/" + stage + "/" + epoch), iteration);
    }

    /** A seeded permutation of the training fields for (stage, epoch). */
    int[] permutation(int stage, int epoch) {
        int n = train.dim(0);
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        SplittableRandom r = new SplittableRandom(Seeds.derive(seed, "permutation/" + stage + "/" + epoch));
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int tmp = p[i];
            p[i] = p[j];
            p[j] = tmp;
        }
        return p;
    }
}
