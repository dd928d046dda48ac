package dev.smdp4j.cli;

import ai.djl.ndarray.NDManager;
import dev.smdp4j.bench.PhysicsBenchmark;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.Json;
import dev.smdp4j.train.SurrogatePhysics;
import dev.smdp4j.util.Engines;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code smdp bench}: measured speed of the building blocks. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measure speed on this machine. Targets: 'physics' (the heat step, forward and forward+backward).")
final class BenchCommand implements Callable<Integer> {

    @Parameters(index = "0", defaultValue = "physics", paramLabel = "TARGET", description = "What to measure: physics (default).")
    String target;

    @Option(names = "--batch", description = "Fields per batch (default: ${DEFAULT-VALUE}).")
    int batch = 32;

    @Option(names = "--grid", description = "Grid size N (default: ${DEFAULT-VALUE}).")
    int grid = 32;

    @Option(names = "--calls", description = "Calls per timed block (default: ${DEFAULT-VALUE}).")
    int calls = 2000;

    @Option(names = "--repeats", description = "Timed blocks; the median is reported (default: ${DEFAULT-VALUE}).")
    int repeats = 7;

    @Option(names = "--surrogate", paramLabel = "CKPT", description = "physics: also time this learned surrogate "
            + "(a checkpoint of 'smdp train --method surrogate' for the grid and T/M = 0.2/32).")
    Path surrogate;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (target.equals("network")) {
            try (NDManager manager = Engines.newManager()) {
                var rows = new dev.smdp4j.bench.NetworkBenchmark(dev.smdp4j.nn.ScoreNetConfig.defaults(), grid, repeats)
                        .run(manager, 1, 32, 128);
                for (var row : rows) {
                    System.out.printf("  %-40s %10.2f ms %8.1f GFLOP/s%n", row.name(), row.millis(), row.gflops());
                }
            }
            return 0;
        }
        if (!target.equals("physics")) {
            throw new InvalidInputException("unknown bench target '" + target + "'; valid: physics, network");
        }
        if (batch < 1 || grid < 2 || calls < 1 || repeats < 1) {
            throw new InvalidInputException("--batch, --calls, --repeats must be >= 1 and --grid >= 2");
        }
        PhysicsBenchmark bench = new PhysicsBenchmark(batch, grid, calls, repeats, surrogate == null ? null
                : manager -> {
                    DatasetSpec spec = new DatasetSpec(2, 1, grid, 4, 1, 0.2, 32, 0.1, 0.01, 0);
                    SurrogatePhysics p = SurrogatePhysics.load(manager, surrogate, spec, new Normalisation(0, 1));
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
            System.out.printf("heat step on %d fields of %dx%d (median of %d x %d calls, microseconds per call)%n",
                    batch, grid, grid, repeats, calls);
            for (PhysicsBenchmark.Row row : rows) {
                System.out.printf("  %-36s %10.1f us%n", row.name(), row.microsPerCall());
            }
        }
        return 0;
    }
}
