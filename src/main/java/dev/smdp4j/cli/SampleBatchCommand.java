package dev.smdp4j.cli;

import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.Json;
import dev.smdp4j.pipeline.BatchRunner;
import dev.smdp4j.pipeline.ModelSource;
import dev.smdp4j.pipeline.Reconstruction;
import dev.smdp4j.pipeline.ShardSampling;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code smdp sample-batch}: {@code smdp sample} over a directory of shards, on Apache Spark. */
@Command(
        name = "sample-batch",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Posterior samples for every observation of a directory of .npz shards, on Apache Spark "
                    + "(embedded local[*] by default, a cluster with --master or spark-submit). The same models, samplers "
                    + "and defaults as 'smdp sample', and the same samples: observation i of the file at relative path P "
                    + "has the key P#i, from which with --seed its noise derives.",
            "Output: a directory of Parquet files, one row per (observation, sample): obs_key string, sample int, "
                    + "seed long, status string (ok or non-finite), x0 array<float> (physical units, row-major), and "
                    + "OUT/_smdp.json describing the run. 'smdp export-npz' turns it into an .npz.",
            "Needs Spark on the class path: SMDP_SPARK=1 ./smdp sample-batch ..., or the jar of "
                    + "'mvn -Pspark package' through spark-submit (docs/USAGE.md, section 12)."
        })
final class SampleBatchCommand implements Callable<Integer> {

    @Mixin
    SamplingOptions options = new SamplingOptions();

    @Option(
            names = "--input",
            required = true,
            paramLabel = "DIR",
            description = "Directory of .npz files (searched "
                    + "recursively), each with observations under --key, [n, ...state], any n.")
    Path input;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description =
                    "Output directory (must not exist; " + "written under a temporary name and renamed when complete).")
    Path out;

    @Option(
            names = "--master",
            paramLabel = "URL",
            description = "Spark master, e.g. local[2] or spark://host:7077 "
                    + "(default: the one spark-submit sets, else local[*]).")
    String master;

    @Option(
            names = "--chunks-per-task",
            paramLabel = "N",
            description = "Chunks of consecutive observations per Spark "
                    + "task (default: about four tasks per core). Changes the scheduling only, never the samples.")
    int chunksPerTask;

    @Option(
            names = "--test-fault",
            hidden = true,
            description = "For tests: halt or throw in the first attempt of the first task.")
    String testFault;

    @Override
    public Integer call() {
        if (Files.exists(out)) {
            throw new InvalidInputException(out + " exists; sample-batch never replaces results: choose another --out");
        }
        BatchRunner runner = runner("sample-batch");
        ModelSource source = options.resolve();
        DatasetSpec spec = source.spec();
        int[] state = spec.problem().stateShape();
        List<ShardSampling.Shard> shards = ShardSampling.list(input, options.key, state);
        Reconstruction.Request request = options.request(spec);
        ShardSampling.Job job = new ShardSampling.Job(
                source, request, options.key, state, ShardSampling.chunkObservations(request.batch()));
        Path target = temporarySibling(out);
        long start = System.nanoTime();
        try {
            BatchRunner.Outcome outcome =
                    runner.sample(new BatchRunner.Request(job, shards, target, master, chunksPerTask, testFault));
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<String, Object> sidecar = ShardSampling.sidecar(
                    job,
                    spec,
                    shards,
                    input.toString(),
                    outcome.statusCounts(),
                    seconds,
                    outcome.master(),
                    outcome.tasks(),
                    outcome.taskSeconds());
            Json.write(target.resolve(ShardSampling.SIDECAR), sidecar);
            try {
                Files.move(target, out); // no REPLACE_EXISTING: fails if --out appeared meanwhile
            } catch (FileAlreadyExistsException e) {
                throw new InvalidInputException(out + " appeared while sampling; the results are left in " + target);
            }
            long rows = (long) sidecar.get("rows");
            long bad = outcome.statusCounts().getOrDefault(ShardSampling.NON_FINITE, 0L);
            System.out.printf(
                    "wrote %s: %d observations in %d files x %d samples = %d rows (%d non-finite) on %s, "
                            + "%d tasks (%.1f s summed over tasks), in %.1f s (%.1f samples/s)%n",
                    out,
                    sidecar.get("observations"),
                    shards.size(),
                    request.samples(),
                    rows,
                    bad,
                    outcome.master(),
                    outcome.tasks(),
                    outcome.taskSeconds(),
                    seconds,
                    rows / seconds);
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot finish " + out + ": " + e.getMessage(), e);
        } finally {
            deleteRecursively(target);
        }
    }

    /**
     * The Spark runner, or one clear error saying how to get Spark: the plain build leaves it out.
     */
    static BatchRunner runner(String command) {
        ClassLoader loader = SampleBatchCommand.class.getClassLoader();
        try {
            Class.forName("org.apache.spark.sql.SparkSession", false, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new InvalidInputException("'" + command + "' needs Apache Spark, which the plain build leaves out "
                    + "(about 290 MB): run it as 'SMDP_SPARK=1 ./smdp " + command + " ...' (builds once with "
                    + "'mvn -Pspark', which downloads Spark from Maven Central), or submit the jar of "
                    + "'mvn -Pspark package' with spark-submit (docs/USAGE.md, section 12)");
        }
        try {
            return (BatchRunner) Class.forName(BatchRunner.IMPLEMENTATION, true, loader)
                    .getConstructor()
                    .newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new InvalidInputException(
                    "Spark is on the class path but these classes were built without "
                            + "the spark profile (" + BatchRunner.IMPLEMENTATION
                            + " is missing): rebuild with 'mvn -Pspark' "
                            + "(./smdp does when SMDP_SPARK=1)",
                    e);
        }
    }

    /** A hidden, not yet existing sibling of {@code out}. */
    static Path temporarySibling(Path out) {
        Path abs = out.toAbsolutePath();
        return abs.resolveSibling(
                "." + abs.getFileName() + ".tmp-" + UUID.randomUUID().toString().substring(0, 8));
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("warning: could not remove the temporary " + dir + ": " + e.getMessage());
        }
    }
}
