package dev.smdp4j.cli;

import ai.djl.ndarray.NDManager;
import dev.smdp4j.bench.NetworkProfile;
import dev.smdp4j.bench.PeerComparison;
import dev.smdp4j.bench.PhysicsBenchmark;
import dev.smdp4j.bench.SpeedSuite;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.nn.NetworkConfig;
import dev.smdp4j.pipeline.Pretrained;
import dev.smdp4j.problem.Problems;
import dev.smdp4j.train.SmdpModel;
import dev.smdp4j.train.SurrogatePhysics;
import dev.smdp4j.train.TrainingOptions;
import dev.smdp4j.util.Engines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code smdp bench}: measured speed of the building blocks and of training and sampling. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Measure speed on this machine, each rate beside the engine's practical peak (its best float32 "
                    + "matrix-multiply rate, measured in the same run).",
            "Targets: all (default: matmul, physics, network, training, sampling, peak memory), network, training, "
                    + "sampling; 'physics' prints the heat step's detailed table (both schemes and references); "
                    + "'profile' lists the engine operations of one network forward pass and their times (libtorch's "
                    + "profiler; default model: the shipped SMDP model)."
        })
final class BenchCommand implements Callable<Integer> {
    private static final List<String> GROUPS = List.of("physics", "network", "training", "sampling");

    @Parameters(
            index = "0",
            defaultValue = "all",
            paramLabel = "TARGET",
            description = "all (default), physics, network, training, sampling or profile.")
    String target;

    @Option(
            names = "--batch",
            description = "Fields per training step, per heat-step call and per sampling batch "
                    + "(default: ${DEFAULT-VALUE}).")
    int batch = 32;

    @Option(
            names = "--windows",
            split = ",",
            paramLabel = "S,...",
            description = "Training windows to measure (default: 1,8,32).")
    int[] windows = {1, 8, 32};

    @Option(
            names = "--net-batches",
            split = ",",
            paramLabel = "B,...",
            description = "Batch sizes of the network rows (default: 1,32,128).")
    int[] netBatches = {1, 32, 128};

    @Option(
            names = "--graph-evals",
            paramLabel = "E",
            description =
                    "Training's graph budget (see train --graph-evals; " + "0 = no limit; default: ${DEFAULT-VALUE}).")
    int graphEvaluations = TrainingOptions.DEFAULT_GRAPH_EVALUATIONS;

    @Option(names = "--grid", description = "Grid size N (default: ${DEFAULT-VALUE}).")
    int grid = 32;

    @Option(names = "--calls", description = "physics target: calls per timed block (default: ${DEFAULT-VALUE}).")
    int calls = 2000;

    @Option(names = "--repeats", description = "Timed repeats; the median is reported (default: ${DEFAULT-VALUE}).")
    int repeats = 5;

    @Option(
            names = "--surrogate",
            paramLabel = "CKPT",
            description = "physics: also time this learned surrogate "
                    + "(a checkpoint of 'smdp train --method surrogate' for the grid and T/M = 0.2/32).")
    Path surrogate;

    @Option(
            names = "--problem",
            paramLabel = "NAME",
            description = "heat (default) or another registered problem: its default network, training and sampling, "
                    + "from its defaults (targets all, network, training, sampling).")
    String problem = "heat";

    @Option(
            names = "--model",
            paramLabel = "CKPT",
            description = "Time this SMDP checkpoint's network (architecture, "
                    + "weights, grid and time grid) in the network, training and sampling rows, instead of a freshly "
                    + "initialised network of the plain default architecture.")
    Path model;

    @Option(
            names = "--sampling-batches",
            split = ",",
            paramLabel = "B,...",
            description = "Samples per batch of the " + "sampling rows (default: --batch; with --peer, the peer's).")
    int[] samplingBatches;

    @Option(
            names = "--peer",
            paramLabel = "JSON",
            description = "Print the rows beside a peer's timings of the same "
                    + "network, after checking that both compute the same output: the file written by "
                    + "docs/scripts/torch_peer.py (eager PyTorch). Its checkpoint is the default --model.")
    Path peerFile;

    @Option(
            names = "--warm-up",
            paramLabel = "SECONDS",
            description = "Untimed calls before each timed row, and three "
                    + "times as long before the first (default: ${DEFAULT-VALUE}).")
    double warmUp = 1;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (batch < 1
                || grid < 2
                || calls < 1
                || repeats < 1
                || graphEvaluations < 0
                || windows.length == 0
                || Arrays.stream(windows).anyMatch(w -> w < 1 || w > 32)
                || netBatches.length == 0
                || Arrays.stream(netBatches).anyMatch(b -> b < 1)
                || !(warmUp >= 0)
                || warmUp > 600) {
            throw new InvalidInputException("--batch, --calls, --repeats and every --net-batches value must be >= 1, "
                    + "--grid >= 2, --graph-evals >= 0, --warm-up in [0, 600] and every --windows value in [1, 32]");
        }
        if (!problem.equals("heat")) {
            return otherProblem();
        }
        if (target.equals("physics")) {
            return physics();
        }
        if (target.equals("profile")) {
            return profile();
        }
        if (!target.equals("all") && !GROUPS.contains(target)) {
            throw new InvalidInputException(
                    "unknown bench target '" + target + "'; valid: all, profile, " + String.join(", ", GROUPS));
        }
        PeerComparison peer = peerFile == null ? null : PeerComparison.read(peerFile);
        Path checkpoint = model != null ? model : peer != null ? peer.model() : null;
        if (peer != null && checkpoint == null) {
            throw new InvalidInputException(peerFile + " names no checkpoint; pass the peer's --model");
        }
        if (checkpoint != null && !Files.isRegularFile(checkpoint)) {
            throw new InvalidInputException(
                    "no checkpoint " + checkpoint + (model == null ? " (the peer's model; pass " + "--model)" : ""));
        }
        int[] sampling = samplingBatches != null
                ? samplingBatches
                : peer != null && peer.samplingBatches().length > 0 ? peer.samplingBatches() : new int[] {batch};
        if (Arrays.stream(sampling).anyMatch(b -> b < 1)) {
            throw new InvalidInputException("every --sampling-batches value must be >= 1");
        }
        SpeedSuite.Options options = suiteOptions(sampling, checkpoint);
        List<String> groups = target.equals("all") ? GROUPS : List.of(target);
        BenchReport report = new BenchReport(json);
        List<SpeedSuite.Row> rows;
        NetworkConfig timed;
        PeerComparison.Agreement agreement = null;
        try (NDManager manager = Engines.newManager()) {
            if (peer != null) { // first: timings of two different functions would mean nothing
                try (NDManager scope = manager.newSubManager()) {
                    agreement = peer.check(
                            scope,
                            SmdpModel.load(scope, Checkpoint.read(checkpoint)).network());
                }
            }
            SpeedSuite suite = new SpeedSuite(options, report.progress());
            rows = suite.run(manager, groups);
            timed = suite.timedNetwork(); // the checkpoint's with --model (or the peer's), else the default
        }
        report.speed(rows, timed, graphEvaluations, peer, agreement);
        return 0;
    }

    /** The suite's options from this command's: the default network, anchors and sampling steps otherwise. */
    private SpeedSuite.Options suiteOptions(int[] sampling, Path checkpoint) {
        SpeedSuite.Options defaults = SpeedSuite.Options.defaults();
        return new SpeedSuite.Options(
                defaults.network(),
                grid,
                netBatches,
                windows,
                batch,
                sampling,
                defaults.samplingSteps(),
                repeats,
                graphEvaluations,
                defaults.anchorEvery(),
                checkpoint,
                warmUp);
    }

    /** {@code --problem NAME}: the problem's own rows ({@link SpeedSuite#runProblem}). */
    private int otherProblem() throws Exception {
        List<String> groups = target.equals("all") ? List.of("network", "training", "sampling") : List.of(target);
        if (!List.of("network", "training", "sampling").containsAll(groups)) {
            throw new InvalidInputException("bench --problem " + problem + " measures all, network, training or "
                    + "sampling; got '" + target + "'");
        }
        if (model != null || peerFile != null) {
            throw new InvalidInputException("--model and --peer apply to the heat benchmark's score network only");
        }
        DatasetSpec protocol = Problems.defaults(problem).defaultSpec();
        int threads = protocol.problem().engineThreads();
        SpeedSuite.Options options = suiteOptions(samplingBatches != null ? samplingBatches : new int[] {batch}, null);
        BenchReport report = new BenchReport(json);
        List<SpeedSuite.Row> rows;
        try (NDManager manager = Engines.newManager(threads)) {
            rows = new SpeedSuite(options, report.progress()).runProblem(manager, protocol, groups);
        }
        report.problem(problem, protocol, rows);
        return 0;
    }

    private int profile() throws Exception {
        Path checkpoint = model != null ? model : Pretrained.checkpoint(Pretrained.Use.ESTIMATE);
        Path trace = Files.createTempFile("smdp-profile", ".json");
        List<NetworkProfile.Result> results = new ArrayList<>();
        try (NDManager manager = Engines.newManager()) {
            SmdpModel loaded = SmdpModel.load(manager, Checkpoint.read(checkpoint));
            int n = loaded.spec().problem().stateShape()[0];
            for (int b : netBatches) {
                results.add(NetworkProfile.run(manager, loaded.network(), n, b, 10, 3 * warmUp, trace));
            }
        } finally {
            Files.deleteIfExists(trace);
        }
        new BenchReport(json)
                .profile(
                        checkpoint,
                        model != null ? model.toString() : "the shipped SMDP model (ODE estimate)",
                        3 * warmUp,
                        results);
        return 0;
    }

    private int physics() throws Exception {
        PhysicsBenchmark bench = new PhysicsBenchmark(
                batch,
                grid,
                calls,
                repeats,
                surrogate == null
                        ? null
                        : manager -> {
                            DatasetSpec spec = DatasetSpec.heat(2, 1, grid, 4, 1, 0.2, 32, 0.1, 0.01, 0);
                            SurrogatePhysics p =
                                    SurrogatePhysics.load(manager, surrogate, spec, new Normalisation(0, 1));
                            return p.model(); // in its own units: the time of the step alone
                        });
        List<PhysicsBenchmark.Row> rows;
        try (NDManager manager = Engines.newManager()) {
            rows = bench.run(manager);
        }
        new BenchReport(json).physics(bench, rows, batch, grid, repeats, calls);
        return 0;
    }
}
