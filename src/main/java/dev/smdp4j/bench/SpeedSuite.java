package dev.smdp4j.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.nn.ScoreNetConfig;
import dev.smdp4j.sample.PosteriorSampling;
import dev.smdp4j.sample.Sampler;
import dev.smdp4j.sample.Samplers;
import dev.smdp4j.sample.Seeding;
import dev.smdp4j.score.ScoreModel;
import dev.smdp4j.sde.Sde;
import dev.smdp4j.sde.TimeGrid;
import dev.smdp4j.train.Method;
import dev.smdp4j.train.TrainingLoop;
import dev.smdp4j.train.TrainingOptions;
import dev.smdp4j.util.GaussianNoise;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code smdp bench}: every speed that matters, measured in one run on one machine, each compared
 * with the engine's practical peak (the best float32 matrix-multiply rate it reaches here).
 *
 * <ul>
 *   <li>the matrix-multiply peak;
 *   <li>the heat step alone, forward and forward+backward ({@link PhysicsBenchmark});
 *   <li>the score network, forward and forward+backward, at several batch sizes, with FLOPs
 *       counted from the architecture (backward = 2 x forward);
 *   <li>SMDP training through the real {@link TrainingLoop} (trajectory simulation, unrolled
 *       window with anchors, backward, Adam) at several windows: unrolled network evaluations per
 *       second, and the share of the step spent outside the network, from the parts measured
 *       directly (the same step with the closed-form exact-net in the network's place, Adam, and
 *       the physics' backward);
 *   <li>posterior sampling through {@link PosteriorSampling} with the {@code ode} and {@code sde}
 *       samplers: samples per second;
 *   <li>the peak resident memory of the process after each group.
 * </ul>
 *
 * {@link HeatRows} measures all but the peak; {@link #runProblem} measures problems other than heat.
 * A rate's "fraction of peak" counts only useful FLOPs (one forward per network evaluation in
 * sampling, forward+backward per unrolled evaluation in training), so overheads such as the
 * physics, the optimizer or the recomputation of gradient checkpointing lower it.
 */
public final class SpeedSuite {
    /**
     * What to measure. {@code graphEvaluations}: the training objective's graph budget (gradient
     * checkpointing beyond it; 0 = none); {@code anchorEvery}: its anchor terms (0 = none).
     */
    public record Options(
            ScoreNetConfig network,
            int grid,
            int[] batches,
            int[] windows,
            int trainBatch,
            int[] samplingBatches,
            int samplingSteps,
            int repeats,
            int graphEvaluations,
            int anchorEvery,
            Path model,
            double warmUpSeconds) {
        public static Options defaults() {
            return new Options(
                    ScoreNetConfig.defaults(),
                    32,
                    new int[] {1, 32, 128},
                    new int[] {1, 8, 32},
                    32,
                    new int[] {32},
                    32,
                    5,
                    TrainingOptions.DEFAULT_GRAPH_EVALUATIONS,
                    Method.SMDP.defaultAnchorEvery(),
                    null,
                    1);
        }
    }

    /**
     * One measurement: milliseconds per call, a throughput in its own unit, the achieved useful
     * GFLOP/s (NaN where no FLOP count applies) and the process's peak RSS after it (bytes).
     */
    public record Row(
            String group, String name, double millis, double rate, String unit, double gflops, long peakRss) {}

    private final Options options;
    private final Consumer<String> log;
    private ScoreNetConfig timed; // set by run

    public SpeedSuite(Options options, Consumer<String> log) {
        this.options = options;
        this.log = log;
    }

    /**
     * Runs the groups named in {@code groups} (matmul always runs first: it is the reference), the
     * others through {@link HeatRows}.
     */
    public List<Row> run(NDManager parent, List<String> groups) {
        List<Row> rows = new ArrayList<>();
        try (NDManager manager = parent.newSubManager()) {
            for (int size : new int[] {512, 1024, 2048}) {
                rows.add(matmul(manager, size));
            }
            HeatRows heat = new HeatRows(this);
            heat.run(manager, groups, rows);
            timed = heat.network();
        }
        return rows;
    }

    /**
     * The architecture the last {@link #run} timed: the options' network, or the checkpoint's when
     * the options name a {@code model}.
     */
    public ScoreNetConfig timedNetwork() {
        if (timed == null) {
            throw new IllegalStateException("no heat rows run yet");
        }
        return timed;
    }

    /**
     * The rows of another problem than heat, from its defaults: its default SMDP network forward and
     * forward+backward at each batch of {@code options.batches()}, SMDP training steps of its
     * default options through the real loop at each window (batch {@code options.trainBatch()}),
     * and {@code ode}/{@code sde} sampling of its test observations at each sampling batch over its
     * own time grid. Without the heat benchmark's closed forms, there are no FLOP counts and no
     * "outside the network" parts.
     */
    public List<Row> runProblem(NDManager parent, DatasetSpec protocol, List<String> groups) {
        return new ProblemRows(this).run(parent, protocol, groups);
    }

    /** The best matrix-multiply rate among the sizes measured: the practical peak ({@link #run} always measures it). */
    public static double peakGflops(List<Row> rows) {
        return rows.stream()
                .filter(r -> r.group().equals("matmul"))
                .mapToDouble(Row::gflops)
                .max()
                .orElseThrow(() -> new IllegalArgumentException("no matmul row: the peak was not measured"));
    }

    private Row matmul(NDManager manager, int size) {
        NDArray a = new GaussianNoise(1).next(manager, new Shape(size, size));
        NDArray b = new GaussianNoise(2).next(manager, new Shape(size, size));
        double s = time(() -> {
            try (NDManager step = manager.newSubManager()) {
                a.tempAttach(step);
                a.matMul(b);
            }
        });
        double flops = 2.0 * size * size * size;
        return add(new Row("matmul", size + "x" + size + " float32", s * 1e3, 1 / s, "calls/s", flops / s / 1e9, 0));
    }

    /** The suite's options, as given (the heat rows replace the network and grid by a {@code model}'s). */
    Options options() {
        return options;
    }

    /** Logs {@code row} and returns it. */
    Row add(Row row) {
        log.accept(String.format("  %-9s %-58s %10.2f ms", row.group(), row.name(), row.millis()));
        return row;
    }

    /** Median seconds per call over {@code options.repeats()} timed blocks ({@link Timing#medianSeconds}). */
    double time(Runnable call) {
        return time(call, options.repeats());
    }

    double time(Runnable call, int repeats) {
        return Timing.medianSeconds(call, repeats, options.warmUpSeconds());
    }

    /**
     * Median seconds of sampling {@code samples} per observation of {@code y} with {@code sampler}, in
     * engine batches of {@code batch} items (seed 3), over half the repeats (at least 3).
     */
    double timeSampling(
            NDManager manager,
            HostArray y,
            int samples,
            String sampler,
            Sde sde,
            ScoreModel score,
            TimeGrid grid,
            int batch) {
        Sampler s = Samplers.create(sampler);
        return time(
                () -> PosteriorSampling.run(
                        manager, y, samples, s, sde, score, grid, Seeding.global(3), batch, true, null),
                Math.max(3, options.repeats() / 2));
    }

    /** The process's peak resident set size so far (VmHWM), in bytes; 0 where /proc is not available. */
    public static long peakRss() {
        return Timing.peakRss();
    }
}
