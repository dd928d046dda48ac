package dev.smdp4j.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.smdp4j.bench.NetworkProfile;
import dev.smdp4j.bench.PeerComparison;
import dev.smdp4j.bench.PhysicsBenchmark;
import dev.smdp4j.bench.SpeedSuite;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.Json;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
            description =
                    "heat (default) or another registered problem: its "
                            + "default network, training and sampling, from its defaults (targets all, network, training, sampling).")
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
        SpeedSuite.Options defaults = SpeedSuite.Options.defaults();
        SpeedSuite.Options options = new SpeedSuite.Options(
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
        List<String> groups = target.equals("all") ? GROUPS : List.of(target);
        List<SpeedSuite.Row> rows;
        PeerComparison.Agreement agreement = null;
        try (NDManager manager = Engines.newManager()) {
            if (peer != null) { // first: timings of two different functions would mean nothing
                try (NDManager scope = manager.newSubManager()) {
                    agreement = peer.check(
                            scope,
                            SmdpModel.load(scope, Checkpoint.read(checkpoint)).network());
                }
            }
            rows = new SpeedSuite(options, line -> {
                        if (!json) {
                            System.err.println(line);
                        }
                    })
                    .run(manager, groups);
        }
        double peak = SpeedSuite.peakGflops(rows);
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("machine", machine());
            m.put("network", options.network().toMap());
            m.put("graph_evaluations", graphEvaluations);
            m.put("practical_peak_gflops", peak);
            m.put(
                    "rows",
                    rows.stream()
                            .map(r -> {
                                Map<String, Object> e = new LinkedHashMap<>();
                                e.put("group", r.group());
                                e.put("name", r.name());
                                e.put("ms", r.millis());
                                e.put("rate", r.rate());
                                e.put("unit", r.unit());
                                if (Double.isFinite(
                                        r.gflops())) { // rows without a FLOP count (e.g. the optimizer) have none
                                    e.put("gflops", r.gflops());
                                    e.put("fraction_of_peak", r.gflops() / peak);
                                }
                                e.put("peak_rss_bytes", r.peakRss());
                                return e;
                            })
                            .toList());
            m.put("peak_rss_bytes", SpeedSuite.peakRss());
            if (peer != null) {
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("peer", peer.describe());
                p.put("output_max_abs_difference", agreement.maxAbsDifference());
                p.put("output_max_abs", agreement.maxAbsOutput());
                p.put("peer_float32_vs_float64_max_abs_difference", agreement.peerRoundOff());
                p.put("rows", peer.rows(rows));
                m.put("peer", p);
            }
            System.out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(m));
        } else {
            System.out.printf(
                    "%s%npractical peak (best float32 matmul): %.1f GFLOP/s; useful FLOPs only%n%n", machine(), peak);
            System.out.printf(
                    "| %-8s | %-58s | %9s | %18s | %7s | %7s | %8s |%n",
                    "group", "what", "ms", "rate", "GFLOP/s", "of peak", "peak RSS");
            System.out.println("|----------|------------------------------------------------------------|-----------|"
                    + "--------------------|---------|---------|----------|");
            for (SpeedSuite.Row r : rows) {
                boolean counted = Double.isFinite(r.gflops());
                System.out.printf(
                        "| %-8s | %-58s | %9.2f | %18s | %7s | %7s | %8s |%n",
                        r.group(),
                        r.name(),
                        r.millis(),
                        String.format("%.1f %s", r.rate(), r.unit()),
                        counted ? String.format("%.1f", r.gflops()) : "",
                        counted ? String.format("%.0f%%", 100 * r.gflops() / peak) : "",
                        r.peakRss() > 0 ? String.format("%.2f GB", r.peakRss() / 1e9) : "");
            }
            System.out.printf("%npeak resident memory of this run: %.2f GB%n", SpeedSuite.peakRss() / 1e9);
            if (peer != null) {
                printPeer(peer, agreement, rows);
            }
        }
        return 0;
    }

    private static void printPeer(PeerComparison peer, PeerComparison.Agreement agreement, List<SpeedSuite.Row> rows) {
        System.out.printf("%nside by side with %s%n", peer.describe());
        System.out.printf(
                "same network: outputs on the check input differ by at most %.2e (largest output %.3g); "
                        + "the peer's own float32 output differs from its float64 one by %.2e%n%n",
                agreement.maxAbsDifference(), agreement.maxAbsOutput(), agreement.peerRoundOff());
        System.out.printf(
                "| %-8s | %-45s | %10s | %10s | %13s |%n", "group", "what", "smdp4j ms", "peer ms", "speed vs peer");
        System.out.println("|----------|-----------------------------------------------|------------|------------|"
                + "---------------|");
        for (PeerComparison.Row r : peer.rows(rows)) {
            System.out.printf(
                    "| %-8s | %-45s | %10.2f | %10.2f | %12.2fx |%n",
                    r.group(), r.name(), r.millis(), r.peerMillis(), r.speedRatio());
        }
    }

    private static String machine() {
        return String.format(
                "%d cores, Java %s, %s, engine threads %s",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"),
                Engine.getInstance().getEngineName() + " "
                        + Engine.getInstance().getVersion(),
                System.getProperty("ai.djl.pytorch.num_threads", "default"));
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
        SpeedSuite.Options defaults = SpeedSuite.Options.defaults();
        SpeedSuite.Options options = new SpeedSuite.Options(
                defaults.network(),
                grid,
                netBatches,
                windows,
                batch,
                samplingBatches != null ? samplingBatches : new int[] {batch},
                defaults.samplingSteps(),
                repeats,
                graphEvaluations,
                defaults.anchorEvery(),
                null,
                warmUp);
        List<SpeedSuite.Row> rows;
        try (NDManager manager = Engines.newManager(threads)) {
            rows = new SpeedSuite(options, line -> {
                        if (!json) {
                            System.err.println(line);
                        }
                    })
                    .runProblem(manager, protocol, groups);
        }
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("machine", machine());
            m.put("problem", protocol.toMap());
            m.put("rows", rows);
            m.put("peak_rss_bytes", SpeedSuite.peakRss());
            System.out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(m));
            return 0;
        }
        System.out.printf(
                "%s%nproblem %s, its default SMDP network and options%n%n| %-8s | %-58s | %10s | %20s |%n",
                machine(), problem, "group", "what", "ms", "rate");
        System.out.println("|----------|------------------------------------------------------------|------------|"
                + "----------------------|");
        for (SpeedSuite.Row r : rows) {
            System.out.printf(
                    "| %-8s | %-58s | %10.3f | %20s |%n",
                    r.group(), r.name(), r.millis(), String.format("%.1f %s", r.rate(), r.unit()));
        }
        System.out.printf("%npeak resident memory of this run: %.2f GB%n", SpeedSuite.peakRss() / 1e9);
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
        if (json) {
            System.out.println(Json.mapper()
                    .writerWithDefaultPrettyPrinter()
                    .writeValueAsString(
                            Map.of("machine", machine(), "model", checkpoint.toString(), "profiles", results)));
            return 0;
        }
        System.out.printf(
                "%s%nmodel %s; top-level engine operations of one forward pass (libtorch profiler, mean of "
                        + "10 passes after %.0f s of warm-up; wall time measured on 10 passes without the profiler)%n",
                machine(), model != null ? model : "the shipped SMDP model (ODE estimate)", 3 * warmUp);
        for (NetworkProfile.Result r : results) {
            System.out.printf(
                    "%nbatch %d: %.0f engine calls, %.2f ms inside them, %.2f ms wall per pass%n",
                    r.batch(), r.callsPerPass(), r.opMillisPerPass(), r.wallMillisPerPass());
            for (NetworkProfile.Op op : r.ops().subList(0, Math.min(12, r.ops().size()))) {
                System.out.printf("  %-32s %5.1f calls %9.3f ms%n", op.name(), op.callsPerPass(), op.millisPerPass());
            }
        }
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
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>(bench.describe());
            Map<String, Double> r = new LinkedHashMap<>();
            rows.forEach(row -> r.put(row.name(), row.microsPerCall()));
            m.put("microseconds_per_call", r);
            System.out.println(Json.mapper().writeValueAsString(m));
        } else {
            System.out.printf(
                    "heat step on %d fields of %dx%d (median of %d x %d calls, microseconds per call)%n",
                    batch, grid, grid, repeats, calls);
            for (PhysicsBenchmark.Row row : rows) {
                System.out.printf("  %-36s %10.1f us%n", row.name(), row.microsPerCall());
            }
        }
        return 0;
    }
}
