package dev.smdp4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smdp4j.cli.CommandLineTest;
import dev.smdp4j.cli.CommandLineTest.Run;
import dev.smdp4j.cli.Main;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.Json;
import dev.smdp4j.io.Npz;
import dev.smdp4j.pipeline.ShardSampling;
import dev.smdp4j.sample.Seeding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code smdp sample-batch} on Spark against {@code smdp sample}: embedded {@code local[2]}, then
 * {@code local-cluster[2,1,1024]} (two executor JVMs started by a Worker, the job's tasks
 * serialised to them, PyTorch loaded in each, one executor halted in its first task), whose
 * samples must be bit-identical.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SparkBatchTest {
    /** Few steps keep the test quick; every claim holds for any count. */
    private static final String STEPS = "6";

    private static final String SEED = "5";

    @TempDir
    static Path tmp;

    static Path input;
    static HostArray local;

    static Run ok(String... args) {
        Run r = CommandLineTest.run(args);
        assertEquals(0, r.code(), () -> Arrays.toString(args) + ": " + r.err());
        return r;
    }

    static void fails(String expected, String... args) {
        Run r = CommandLineTest.run(args);
        assertEquals(Main.EXIT_BAD_INPUT, r.code(), () -> Arrays.toString(args) + ": " + r.err() + r.out());
        assertTrue(r.err().contains(expected), () -> "expected '" + expected + "' in: " + r.err());
    }

    /** Physical-unit fields of roughly the benchmark's size; the samples need not be good, only reproducible. */
    static HostArray fields(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[n * 32 * 32];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (0.5 * random.nextGaussian());
        }
        return new HostArray(v, n, 32, 32);
    }

    @BeforeAll
    static void shards() throws IOException {
        input = tmp.resolve("in");
        Files.createDirectories(input.resolve("sub"));
        Npz.write(input.resolve("a.npz"), Map.of("y", fields(40, 1)));
        Npz.write(input.resolve("sub/b.npz"), Map.of("y", fields(7, 2)));
        Files.writeString(input.resolve("notes.txt"), "not a shard");
    }

    static String[] batch(Path out, String master, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of(
                "sample-batch",
                "--input",
                input.toString(),
                "--out",
                out.toString(),
                "--master",
                master,
                "--samples",
                "2",
                "--steps",
                STEPS,
                "--seed",
                SEED));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    static HostArray export(Path out) {
        Path npz = out.resolveSibling(out.getFileName() + ".npz");
        ok("export-npz", "--in", out.toString(), "--out", npz.toString(), "--master", "local[1]");
        return Npz.read(npz, "x0");
    }

    @Test
    @Order(1)
    void localTwoThreadsGivesTheSamplesOfSmdpSample() {
        Path out = tmp.resolve("local");
        ok(batch(out, "local[2]", "--chunks-per-task", "1"));
        JsonNode sidecar = Json.read(out.resolve(ShardSampling.SIDECAR));
        assertEquals(47, sidecar.path("observations").asInt());
        assertEquals(94, sidecar.path("status").path("ok").asInt());
        assertEquals(64, sidecar.path("model_sha256").asText().length());
        assertEquals(List.of(32, 32), Json.mapper().convertValue(sidecar.path("shape"), List.class));
        local = export(out);
        assertArrayEquals(new int[] {47, 2, 32, 32}, local.shape());

        Path single = tmp.resolve("a-alone.npz");
        ok(
                "sample",
                "--input",
                input.resolve("a.npz").toString(),
                "--samples",
                "2",
                "--steps",
                STEPS,
                "--seed",
                SEED,
                "--out",
                single.toString(),
                "--quiet");
        HostArray alone = Npz.read(single, "x0");
        float[] fromBatch = Arrays.copyOf(local.data(), alone.size());
        assertArrayEquals(alone.data(), fromBatch, 0f, "a.npz sampled alone and in the batch: bit-identical");

        // the columns, and the seed column is the observation's derived seed
        SparkSession spark = SparkBatchRunner.session("local[1]", "test");
        try {
            List<Row> rows = spark.read()
                    .parquet(out.toString())
                    .where("obs_key = 'sub/b.npz#3' and sample = 1")
                    .collectAsList();
            assertEquals(1, rows.size());
            Row r = rows.get(0);
            assertEquals(Seeding.observationSeed(5, "sub/b.npz#3"), r.getLong(r.fieldIndex("seed")));
            assertEquals("ok", r.getString(r.fieldIndex("status")));
            assertEquals(1024, r.getList(r.fieldIndex("x0")).size());
            assertEquals(
                    "struct<obs_key:string,sample:int,seed:bigint,status:string,x0:array<float>>",
                    spark.read().parquet(out.toString()).schema().simpleString());
        } finally {
            spark.stop();
        }
    }

    @Test
    @Order(2)
    @Tag("spark-cluster")
    void twoExecutorJvmsGiveIdenticalSamplesAfterLosingAnExecutor() throws IOException {
        Files.createDirectories(Path.of(System.getenv("SPARK_HOME"), "jars"));
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        System.setProperty("spark.executor.extraClassPath", classpath);
        try {
            Path out = tmp.resolve("cluster");
            long start = System.nanoTime();
            Run r = ok(batch(out, "local-cluster[2,1,1024]", "--chunks-per-task", "2", "--test-fault", "halt"));
            System.out.printf(
                    "local-cluster[2,1,1024] with one executor lost: %.1f s wall; %s",
                    (System.nanoTime() - start) / 1e9, r.out());
            HostArray cluster = export(out);
            assertArrayEquals(
                    local.data(), cluster.data(), 0f, "two executor JVMs, other tasks, a retry: bit-identical");
        } finally {
            System.clearProperty("spark.executor.extraClassPath");
        }
    }

    @Test
    @Order(3)
    void nonFiniteSamplesAreStatusRows() {
        Path out = tmp.resolve("exploded");
        ok(batch(out, "local[2]", "--score-factor", "1e30"));
        JsonNode sidecar = Json.read(out.resolve(ShardSampling.SIDECAR));
        assertTrue(sidecar.path("status").path("non-finite").asInt() > 0, sidecar.toString());
        HostArray x0 = export(out);
        assertTrue(
                Float.isNaN(x0.data()[0]) || sidecar.path("status").path("ok").asInt() > 0);
    }

    @Test
    @Order(4)
    void badInputGivesOneClearErrorAndKeepsEarlierResults() throws IOException {
        fails(
                "no such directory",
                replace(
                        batch(tmp.resolve("o1"), "local[1]"),
                        "--input",
                        tmp.resolve("missing").toString()));
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        fails("no .npz files", replace(batch(tmp.resolve("o2"), "local[1]"), "--input", empty.toString()));
        Path wrongKey = Files.createDirectories(tmp.resolve("wrong-key"));
        Npz.write(wrongKey.resolve("a.npz"), Map.of("obs", fields(2, 3)));
        fails("no array named 'y'", replace(batch(tmp.resolve("o3"), "local[1]"), "--input", wrongKey.toString()));
        Path wrongShape = Files.createDirectories(tmp.resolve("wrong-shape"));
        Npz.write(wrongShape.resolve("a.npz"), Map.of("y", new HostArray(new float[2 * 16 * 16], 2, 16, 16)));
        fails(
                "expected shape [n, 32, 32]",
                replace(batch(tmp.resolve("o4"), "local[1]"), "--input", wrongShape.toString()));
        Path nan = Files.createDirectories(tmp.resolve("nan"));
        HostArray bad = fields(3, 4);
        bad.data()[1500] = Float.NaN;
        Npz.write(nan.resolve("a.npz"), Map.of("y", bad));
        fails("non-finite value NaN", replace(batch(tmp.resolve("o5"), "local[1]"), "--input", nan.toString()));
        assertFalse(Files.exists(tmp.resolve("o5")));
        Path existing = tmp.resolve("local");
        String before = Files.readString(existing.resolve(ShardSampling.SIDECAR));
        fails("exists", batch(existing, "local[1]"));
        assertEquals(before, Files.readString(existing.resolve(ShardSampling.SIDECAR)));
        try (Stream<Path> s = Files.list(tmp)) {
            assertNull(
                    s.filter(p -> p.getFileName().toString().contains(".tmp-"))
                            .findAny()
                            .orElse(null),
                    "no temporary output is left behind");
        }
    }

    private static String[] replace(String[] args, String option, String value) {
        String[] copy = args.clone();
        for (int i = 0; i < copy.length - 1; i++) {
            if (copy[i].equals(option)) {
                copy[i + 1] = value;
            }
        }
        return copy;
    }
}
