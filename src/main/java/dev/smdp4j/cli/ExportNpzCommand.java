package dev.smdp4j.cli;

import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.Json;
import dev.smdp4j.io.Npz;
import dev.smdp4j.pipeline.BatchRunner;
import dev.smdp4j.pipeline.ShardSampling;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code smdp export-npz}: the output of {@code sample-batch} as one {@code .npz}. */
@Command(
        name = "export-npz",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Writes the samples of a 'smdp sample-batch' output as one .npz: key x0, [n, K, ...state], "
                    + "observations in key order (files sorted by relative path, then index in file), physical units; "
                    + "samples whose status is not ok are NaN. Needs Spark on the class path, as sample-batch does."
        })
final class ExportNpzCommand implements Callable<Integer> {

    @Option(names = "--in", required = true, paramLabel = "DIR", description = "Output directory of sample-batch.")
    Path in;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output .npz.")
    Path out;

    @Option(names = "--force", description = "Overwrite an existing --out.")
    boolean force;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master for reading (default: local[*]).")
    String master;

    @Override
    public Integer call() {
        SampleCommand.refuseExisting(out, force);
        Path sidecar = in.resolve(ShardSampling.SIDECAR);
        if (!Files.isRegularFile(sidecar)) {
            throw new InvalidInputException(
                    "--in " + in + ": no " + ShardSampling.SIDECAR + " (not a complete 'smdp sample-batch' output)");
        }
        BatchRunner runner = SampleBatchCommand.runner("export-npz");
        ShardSampling.Assembly assembly = new ShardSampling.Assembly(Json.read(sidecar), sidecar);
        runner.export(in, master, assembly);
        long missing = assembly.expected() - assembly.filled() - assembly.notOk();
        if (missing != 0) {
            throw new InvalidInputException(
                    in + ": " + missing + " of " + assembly.expected() + " rows are missing; the output is incomplete");
        }
        Npz.write(out, Map.of("x0", assembly.x0()));
        System.out.printf(
                "wrote %s: x0 %s (%d samples not ok, written as NaN)%n",
                out, assembly.x0().shapeString(), assembly.notOk());
        return 0;
    }
}
