package dev.smdp4j.cli;

import static dev.smdp4j.cli.CommandLineTest.fails;
import static dev.smdp4j.cli.CommandLineTest.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.smdp4j.EngineTest;
import dev.smdp4j.data.DatasetStore;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.Json;
import dev.smdp4j.io.Npy;
import dev.smdp4j.io.Npz;
import dev.smdp4j.train.TrainableModel;
import dev.smdp4j.train.TrainingRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6 in one process: every file type truncated and bit-flipped at seeded random offsets (a
 * fuzz loop bounded in count and time) through the readers the commands use; divergence and bad
 * parameters through the command line.
 */
class ReliabilityTest extends EngineTest {
    /** Cases per file type and fault, and the time bound per file type and fault. */
    static final int CASES = 500;

    static final long SECONDS_PER_TYPE = 8;

    @TempDir
    static Path tmp;

    static Path data;
    static Path run;

    @BeforeAll
    static void dataAndModel() {
        data = tmp.resolve("data");
        run = tmp.resolve("run");
        ok(
                "generate",
                "--out",
                data.toString(),
                "--train",
                "24",
                "--test",
                "4",
                "--grid",
                "16",
                "--steps",
                "4",
                "--seed",
                "3");
        ok(
                "train",
                "--data",
                data.toString(),
                "--out",
                run.toString(),
                "--schedule",
                "1:1:8:1e-3:1e-3,2:1:8:1e-3:1e-3",
                "--width",
                "8",
                "--blocks",
                "1",
                "--dilations",
                "1,2",
                "--val-size",
                "8",
                "--quiet");
    }

    // ------------------------------------------------------------------ corruption fuzzing

    /** What a reader returns, in a form that can be compared with the undamaged file's. */
    interface Reader {
        Object read(Path file) throws IOException;
    }

    /**
     * Damages a copy of {@code original} {@link #CASES} times by truncation and by a single bit
     * flip at seeded random offsets and reads it each time: the reader must throw an
     * {@link InvalidInputException} naming the file, or return exactly what the undamaged file
     * gives (a harmless change, e.g. in white space). Anything else fails the test.
     */
    private static void fuzz(String type, Path original, Function<Path, Path> damagedCopy, Reader reader)
            throws IOException {
        fuzz(type, original, damagedCopy, reader, true);
    }

    private static void fuzz(String type, Path original, Function<Path, Path> damagedCopy, Reader reader, boolean flips)
            throws IOException {
        byte[] bytes = Files.readAllBytes(original);
        Object expected = reader.read(original);
        for (String fault : flips ? List.of("truncation", "bit flip") : List.of("truncation")) {
            SplittableRandom random = new SplittableRandom(Objects.hash(type, fault));
            int rejected = 0;
            int harmless = 0;
            long start = System.nanoTime();
            int cases = 0;
            for (; cases < CASES && System.nanoTime() - start < SECONDS_PER_TYPE * 1_000_000_000L; cases++) {
                byte[] damaged;
                String what;
                if (fault.equals("truncation")) {
                    int length = random.nextInt(bytes.length);
                    damaged = Arrays.copyOf(bytes, length);
                    what = "truncated to " + length + " bytes";
                } else {
                    int offset = random.nextInt(bytes.length);
                    int bit = random.nextInt(8);
                    damaged = bytes.clone();
                    damaged[offset] ^= (byte) (1 << bit);
                    what = "bit " + bit + " of byte " + offset + " flipped";
                }
                Path file = damagedCopy.apply(original);
                Files.write(file, damaged);
                try {
                    Object got = reader.read(file);
                    assertEquals(expected, got, type + ", " + what + ": read without error but gave another result");
                    harmless++;
                } catch (InvalidInputException e) {
                    assertTrue(
                            e.getMessage().contains(file.getFileName().toString()),
                            type + ", " + what + ": the message must name the file: " + e.getMessage());
                    rejected++;
                } catch (RuntimeException e) {
                    throw new AssertionError(type + ", " + what + ": unclean failure " + e, e);
                }
            }
            System.out.printf(
                    "fuzz %-28s %-10s: %3d cases, %3d rejected with a clear error, %3d harmless, %.1f s%n",
                    type, fault, cases, rejected, harmless, (System.nanoTime() - start) / 1e9);
            assertTrue(cases >= 20, type + ": too few cases within the time bound");
            assertTrue(rejected > cases / 2, type + ", " + fault + ": most damage must be detected");
        }
    }

    /** A damaged file in a scratch directory under the original's name. */
    private static Function<Path, Path> scratch(String dir) {
        return original -> {
            Path d = tmp.resolve(dir);
            try {
                Files.createDirectories(d);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return d.resolve(original.getFileName());
        };
    }

    /** Compares arrays by key, shape and values. */
    private static Map<String, String> contents(Map<String, HostArray> arrays) {
        Map<String, String> m = new LinkedHashMap<>();
        arrays.forEach((k, v) -> m.put(
                k,
                Arrays.toString(v.shape())
                        + Arrays.hashCode(v.data())
                        + Arrays.toString(v.data()).length()));
        return m;
    }

    @Test
    void npzObservationsAndPredictions() throws IOException {
        Path obs = tmp.resolve("obs.npz");
        Files.copy(data.resolve(DatasetStore.TEST), obs);
        fuzz("npz (observations)", obs, scratch("fuzz-npz"), f -> contents(Npz.read(f)));
    }

    /**
     * Standalone .npy: the format has no checksum and numpy rejects extra header keys, so a flip in
     * the data cannot be detected; no command reads a standalone .npy (inside .npz and checkpoints
     * each array is covered by CRC-32 and SHA-256, fuzzed above and below). Truncation only.
     */
    @Test
    void npyArraysTruncated() throws IOException {
        Path npy = tmp.resolve("x.npy");
        Npy.write(npy, Npz.read(data.resolve(DatasetStore.TEST), "y"));
        fuzz("npy (truncation only)", npy, scratch("fuzz-npy"), f -> contents(Map.of("", Npy.read(f))), false);
    }

    /** The data set directory: its manifest and its train.npz, as 'train' and 'sample --data' read them. */
    @Test
    void datasetManifestAndDataFiles() throws IOException {
        Path dir = tmp.resolve("fuzz-data");
        Files.createDirectories(dir);
        for (String f : List.of(DatasetStore.MANIFEST, DatasetStore.TRAIN, DatasetStore.TEST)) {
            Files.copy(data.resolve(f), dir.resolve(f));
        }
        Reader store = f -> {
            DatasetStore s = DatasetStore.open(dir);
            return s.spec() + " " + s.normalisation() + " " + contents(Map.of("x0", s.trainX0(), "y", s.testY()));
        };
        Path keepManifest = tmp.resolve("manifest.json");
        Path keepTrain = tmp.resolve("train.npz");
        Files.copy(dir.resolve(DatasetStore.MANIFEST), keepManifest);
        Files.copy(dir.resolve(DatasetStore.TRAIN), keepTrain);
        fuzz("dataset.json", keepManifest, f -> dir.resolve(DatasetStore.MANIFEST), store);
        Files.copy(keepManifest, dir.resolve(DatasetStore.MANIFEST), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        fuzz("train.npz (in a data set)", keepTrain, f -> dir.resolve(DatasetStore.TRAIN), store);
    }

    /** Checkpoints as 'sample' and '--resume' read them: parsed, verified, and loaded into a network. */
    @Test
    void checkpoints() throws IOException {
        fuzz("checkpoint (last.ckpt)", run.resolve(TrainingRun.LAST), scratch("fuzz-ckpt"), f -> {
            Checkpoint c = Checkpoint.read(f);
            try (NDManager m = manager.newSubManager()) {
                TrainableModel model = TrainableModel.load(m, c);
                return c.metadata() + " " + contents(c.tensors()) + " " + model.method();
            }
        });
    }

    /** The checked JSON of reproduce's stage cache. */
    @Test
    void checkedJsonSidecars() throws IOException {
        Path file = tmp.resolve("stages.json");
        Json.writeChecked(
                file,
                Map.of(
                        "data",
                        Map.of("seconds", 1.25, "finished", "2025-01-01T00:00:00Z"),
                        "train smdp",
                        Map.of("seconds", 61.5)));
        fuzz(
                "stages.json (checked JSON)",
                file,
                scratch("fuzz-json"),
                f -> Json.readChecked(f, true).toString());
    }

    // ------------------------------------------------------------------ divergence

    /**
     * A learning rate of 1e30 in stage 2 makes every loss non-finite: training stops with advice,
     * and last.ckpt is still stage 1's finite, complete checkpoint.
     */
    @Test
    void divergingTrainingStopsKeepsTheLastGoodCheckpointAndAdvises() {
        Path out = tmp.resolve("diverge");
        fails(
                "lower the learning rate",
                "train",
                "--data",
                data.toString(),
                "--out",
                out.toString(),
                "--schedule",
                "1:1:8:1e-3:1e-3,1:20:8:1e30:1e30",
                "--width",
                "8",
                "--blocks",
                "1",
                "--dilations",
                "1,2",
                "--val-size",
                "8",
                "--quiet");
        Checkpoint last = Checkpoint.read(out.resolve(TrainingRun.LAST));
        JsonNode position = last.metadata().path("position");
        assertEquals(1, position.path("stage").asInt(), "the checkpoint at the end of stage 1 is the last good one");
        assertEquals(2, position.path("step").asInt());
        last.tensors().forEach((k, v) -> assertEquals(-1, v.firstNonFinite(), k));
        CommandLineTest.Run r = CommandLineTest.run(
                "train",
                "--data",
                data.toString(),
                "--out",
                tmp.resolve("diverge-at-once").toString(),
                "--schedule",
                "1:10:8:1e30:1e30",
                "--width",
                "8",
                "--blocks",
                "1",
                "--dilations",
                "1,2",
                "--val-size",
                "8",
                "--quiet");
        assertEquals(Main.EXIT_BAD_INPUT, r.code());
        assertTrue(r.err().contains("no checkpoint was written"), r.err());
        // Shorter than the 25-step limit: the run must still not end as "complete" with diverged weights.
        fails(
                "the last 9 steps of the schedule had a non-finite loss",
                "train",
                "--data",
                data.toString(),
                "--out",
                tmp.resolve("diverge-short").toString(),
                "--schedule",
                "1:5:8:1e30:1e30",
                "--width",
                "8",
                "--blocks",
                "1",
                "--dilations",
                "1,2",
                "--val-size",
                "8",
                "--quiet");
    }

    /** A non-finite sampler state is reported with the observation, the sample and the step. */
    @Test
    void samplerReportsWhichObservationAndStepWentNonFinite() {
        // A huge score factor makes the reverse drift explode within a few steps.
        fails(
                "non-finite state for observation 0, sample 0 at step",
                "sample",
                "--model",
                run.resolve(TrainingRun.BEST).toString(),
                "--input",
                data.resolve(DatasetStore.TEST).toString(),
                "--sampler",
                "ode",
                "--score-factor",
                "1e30",
                "--out",
                tmp.resolve("explode.npz").toString(),
                "--quiet");
        assertFalse(Files.exists(tmp.resolve("explode.npz")));
    }

    // ------------------------------------------------------------------ bad input and parameters

    @Test
    void badParametersFailBeforeAnyWorkWithOneLine() throws IOException {
        String ckpt = run.resolve(TrainingRun.BEST).toString();
        String test = data.resolve(DatasetStore.TEST).toString();
        Path never = tmp.resolve("never");
        // noise levels
        fails("--diffusion g must be > 0", "generate", "--out", never.toString(), "--diffusion", "0");
        fails("--obs-noise s must be > 0", "generate", "--out", never.toString(), "--obs-noise", "0");
        fails("--obs-noise", "generate", "--out", never.toString(), "--obs-noise", "-0.5");
        fails(
                "--snr",
                "sample",
                "--model",
                ckpt,
                "--input",
                test,
                "--sampler",
                "pc",
                "--snr",
                "0",
                "--out",
                never.resolve("a.npz").toString());
        // zero steps, samples, batch, epochs
        fails("--steps", "generate", "--out", never.toString(), "--steps", "0");
        fails(
                "--samples must be >= 1",
                "sample",
                "--model",
                ckpt,
                "--input",
                test,
                "--samples",
                "0",
                "--out",
                never.resolve("b.npz").toString());
        fails(
                "--batch must be >= 1",
                "sample",
                "--model",
                ckpt,
                "--input",
                test,
                "--batch",
                "0",
                "--out",
                never.resolve("c.npz").toString());
        fails(
                "invalid stage",
                "train",
                "--data",
                data.toString(),
                "--out",
                never.toString(),
                "--schedule",
                "1:0:8:1e-3:1e-3");
        // unknown names list the valid ones
        fails("valid: smdp, heatgen", "train", "--data", data.toString(), "--out", never.toString(), "--method", "gan");
        fails(
                "exact-score, exact-net",
                "sample",
                "--model",
                "exact-magic",
                "--input",
                test,
                "--out",
                never.resolve("d.npz").toString());
        assertFalse(Files.exists(never), "nothing may be created by a rejected command");

        // observations with NaN, and of another grid size than the model
        HostArray y = Npz.read(data.resolve(DatasetStore.TEST), "y");
        HostArray nan = new HostArray(y.data().clone(), y.shape());
        nan.data()[3 * 256 + 17] = Float.NaN;
        Path nanFile = tmp.resolve("nan-obs.npz");
        Npz.write(nanFile, Map.of("y", nan));
        fails(
                "non-finite value NaN at flat index " + (3 * 256 + 17) + " (field 3)",
                "sample",
                "--model",
                ckpt,
                "--input",
                nanFile.toString(),
                "--out",
                tmp.resolve("e.npz").toString());
        Path small = tmp.resolve("small-obs.npz");
        Npz.write(small, Map.of("y", HostArray.zeros(2, 8, 8)));
        fails(
                "expected shape [n, 16, 16], got [2, 8, 8]",
                "sample",
                "--model",
                ckpt,
                "--input",
                small.toString(),
                "--out",
                tmp.resolve("f.npz").toString());

        // a model trained for other physics than the data: every difference named
        Path other = tmp.resolve("other-physics");
        ok(
                "generate",
                "--out",
                other.toString(),
                "--train",
                "4",
                "--test",
                "2",
                "--grid",
                "8",
                "--steps",
                "4",
                "--end-time",
                "0.3",
                "--diffusion",
                "0.2");
        CommandLineTest.Run r = CommandLineTest.run(
                "sample",
                "--model",
                ckpt,
                "--data",
                other.toString(),
                "--input",
                test,
                "--out",
                tmp.resolve("g.npz").toString());
        assertEquals(Main.EXIT_BAD_INPUT, r.code());
        for (String named : List.of("grid N 16 vs 8", "T 0.2 vs 0.3", "g 0.1 vs 0.2")) {
            assertTrue(r.err().contains(named), named + " missing in: " + r.err());
        }
        // training on a data set with another grid than --init's model
        fails(
                "differs",
                "train",
                "--data",
                other.toString(),
                "--out",
                tmp.resolve("h").toString(),
                "--init",
                ckpt,
                "--schedule",
                "1:1:2:1e-3:1e-3",
                "--width",
                "16",
                "--blocks",
                "1",
                "--dilations",
                "1,2",
                "--val-size",
                "1",
                "--quiet");
        for (String f : List.of("e.npz", "f.npz", "g.npz")) {
            assertFalse(Files.exists(tmp.resolve(f)), f);
        }
    }

    /** Output that cannot be written: a clear error, no partial files, existing results untouched. */
    @Test
    void unwritableOutputIsAClearErrorAndDestroysNothing() throws IOException {
        Path file = tmp.resolve("a-file");
        Files.writeString(file, "keep");
        // As root, permissions do not stop writes; a regular file where a directory must be does.
        fails(
                "cannot create output directory",
                "generate",
                "--out",
                file.resolve("sub").toString(),
                "--train",
                "4",
                "--test",
                "2",
                "--grid",
                "8");
        fails(
                "cannot create output directory",
                "train",
                "--data",
                data.toString(),
                "--out",
                file.resolve("run").toString(),
                "--schedule",
                "1:1:8:1e-3:1e-3",
                "--quiet");
        fails(
                "a-file",
                "sample",
                "--model",
                run.resolve(TrainingRun.BEST).toString(),
                "--input",
                data.resolve(DatasetStore.TEST).toString(),
                "--out",
                file.resolve("x.npz").toString(),
                "--quiet");
        assertEquals("keep", Files.readString(file));
        // an existing prediction is never replaced by a failing command
        Path pred = tmp.resolve("pred.npz");
        ok(
                "sample",
                "--model",
                run.resolve(TrainingRun.BEST).toString(),
                "--input",
                data.resolve(DatasetStore.TEST).toString(),
                "--sampler",
                "ode",
                "--out",
                pred.toString(),
                "--quiet");
        byte[] before = Files.readAllBytes(pred);
        fails(
                "unknown sampler",
                "sample",
                "--model",
                run.resolve(TrainingRun.BEST).toString(),
                "--input",
                data.resolve(DatasetStore.TEST).toString(),
                "--sampler",
                "nope",
                "--out",
                pred.toString(),
                "--force");
        assertArrayEquals(before, Files.readAllBytes(pred));
        try (Stream<Path> s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".tmp-")), "temporary file left");
        }
    }

    /** An interrupted 'generate' (files but no manifest) is completed by the same command, without --force. */
    @Test
    void anIncompleteDataSetIsRegeneratedByTheSameCommand() throws IOException {
        Path dir = tmp.resolve("incomplete");
        ok("generate", "--out", dir.toString(), "--train", "4", "--test", "2", "--grid", "8", "--steps", "4");
        byte[] train = Files.readAllBytes(dir.resolve(DatasetStore.TRAIN));
        Files.delete(dir.resolve(DatasetStore.MANIFEST)); // as if killed before the manifest was written
        fails(
                "no data set",
                "train",
                "--data",
                dir.toString(),
                "--out",
                tmp.resolve("nope").toString());
        ok("generate", "--out", dir.toString(), "--train", "4", "--test", "2", "--grid", "8", "--steps", "4");
        assertArrayEquals(train, Files.readAllBytes(dir.resolve(DatasetStore.TRAIN)));
        assertTrue(Files.isRegularFile(dir.resolve(DatasetStore.MANIFEST)));
        Files.writeString(dir.resolve("notes.txt"), "mine");
        Files.delete(dir.resolve(DatasetStore.MANIFEST));
        fails("--force", "generate", "--out", dir.toString(), "--train", "4", "--test", "2", "--grid", "8");
        assertEquals("mine", Files.readString(dir.resolve("notes.txt")));
    }

    /** Allocation failures name the option to lower (the message mapping; a real native OOM is not provoked). */
    @Test
    void outOfMemoryNamesTheOptionToLower() {
        assertTrue(Main.outOfMemory(new OutOfMemoryError("Java heap space"), "train")
                .contains("--schedule"));
        assertTrue(Main.outOfMemory(new OutOfMemoryError("Java heap space"), "train")
                .contains("--graph-evals"));
        assertTrue(Main.outOfMemory(
                        new RuntimeException(new ai.djl.engine.EngineException(
                                "[enforce fail at alloc_cpu.cpp:117] DefaultCPUAllocator: can't allocate memory: you tried to allocate "
                                        + "123 bytes")),
                        "sample")
                .contains("--batch"));
        assertEquals(null, Main.outOfMemory(new IllegalStateException("other"), "sample"));
    }
}
