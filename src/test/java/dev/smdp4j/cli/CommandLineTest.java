package dev.smdp4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smdp4j.data.DatasetStore;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.Json;
import dev.smdp4j.io.Npz;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line end to end on tiny sizes, including every bad-input path of the foundation. */
public class CommandLineTest {
    @TempDir
    static Path tmp;

    static Path data;

    /** Exit code, stdout and stderr of one invocation. */
    public record Run(int code, String out, String err) {}

    /** Runs the command line in this JVM, capturing its exit code and output (also for tests of other packages). */
    public static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    public static Run ok(String... args) {
        Run r = run(args);
        assertEquals(0, r.code(), () -> "expected success of " + Arrays.toString(args) + ": " + r.err());
        return r;
    }

    public static void fails(String expectedInMessage, String... args) {
        Run r = run(args);
        assertEquals(
                Main.EXIT_BAD_INPUT,
                r.code(),
                () -> "expected exit 2 of " + Arrays.toString(args) + ", stderr: " + r.err());
        assertTrue(
                r.err().contains(expectedInMessage),
                () -> "stderr should mention '" + expectedInMessage + "': " + r.err());
        assertEquals(1, r.err().strip().lines().count(), () -> "one error line expected: " + r.err());
    }

    @BeforeAll
    static void generate() {
        data = tmp.resolve("data");
        ok(
                "generate",
                "--out",
                data.toString(),
                "--train",
                "20",
                "--test",
                "6",
                "--grid",
                "16",
                "--steps",
                "4",
                "--seed",
                "7",
                "--trajectories");
    }

    @Test
    void generateWritesNumpyCompatibleFilesWithTheDocumentedKeysAndShapes() {
        Map<String, HostArray> train = Npz.read(data.resolve("train.npz"));
        Map<String, HostArray> test = Npz.read(data.resolve("test.npz"));
        assertArrayEquals(new int[] {20, 16, 16}, train.get("x0").shape());
        assertArrayEquals(new int[] {6, 16, 16}, test.get("x0").shape());
        assertArrayEquals(new int[] {6, 16, 16}, test.get("y").shape());
        assertArrayEquals(
                new int[] {20, 5, 16, 16},
                Npz.read(data.resolve("trajectories.npz"), "traj").shape());
        JsonNode m = Json.read(data.resolve("dataset.json"));
        assertEquals(20, m.path("parameters").path("train_size").asInt());
        assertEquals(7, m.path("parameters").path("seed").asLong());
        assertTrue(m.path("normalisation").path("std").asDouble() > 0);
        // trajectories start at the stored initial states
        float[] x0 = train.get("x0").data();
        float[] traj = Npz.read(data.resolve("trajectories.npz"), "traj").data();
        for (int i = 0; i < 256; i++) {
            assertEquals(x0[i], traj[i], 1e-5f);
        }
    }

    @Test
    void sameSeedGivesIdenticalFiles() throws Exception {
        Path again = tmp.resolve("again");
        ok(
                "generate",
                "--out",
                again.toString(),
                "--train",
                "20",
                "--test",
                "6",
                "--grid",
                "16",
                "--steps",
                "4",
                "--seed",
                "7");
        assertArrayEquals(
                Files.readAllBytes(data.resolve("train.npz")), Files.readAllBytes(again.resolve("train.npz")));
        assertArrayEquals(Files.readAllBytes(data.resolve("test.npz")), Files.readAllBytes(again.resolve("test.npz")));
    }

    @Test
    void generateNeverOverwritesWithoutForce() throws Exception {
        Path dir = tmp.resolve("keep");
        ok("generate", "--out", dir.toString(), "--train", "4", "--test", "2", "--grid", "8");
        byte[] before = Files.readAllBytes(dir.resolve("train.npz"));
        Run same = ok("generate", "--out", dir.toString(), "--train", "4", "--test", "2", "--grid", "8");
        assertTrue(same.out().contains("nothing to do"), same.out());
        fails("--force", "generate", "--out", dir.toString(), "--train", "5", "--test", "2", "--grid", "8");
        assertArrayEquals(before, Files.readAllBytes(dir.resolve("train.npz")));
        ok("generate", "--out", dir.toString(), "--train", "5", "--test", "2", "--grid", "8", "--force");
        assertEquals(5, Npz.read(dir.resolve("train.npz"), "x0").dim(0));
        Path other = tmp.resolve("other");
        Files.createDirectories(other);
        Files.writeString(other.resolve("notes.txt"), "mine");
        fails("not empty", "generate", "--out", other.toString(), "--train", "4", "--test", "2", "--grid", "8");
        assertEquals("mine", Files.readString(other.resolve("notes.txt")));
    }

    @Test
    void impossibleParametersAreRejectedBeforeAnyWork() {
        Path dir = tmp.resolve("never");
        fails("--diffusion", "generate", "--out", dir.toString(), "--diffusion", "-0.1");
        fails("--grid", "generate", "--out", dir.toString(), "--grid", "1");
        fails("--obs-noise", "generate", "--out", dir.toString(), "--obs-noise", "NaN");
        fails("--end-time", "generate", "--out", dir.toString(), "--end-time", "0");
        fails("--steps", "generate", "--out", dir.toString(), "--steps", "0");
        fails("--train", "generate", "--out", dir.toString(), "--train", "0");
        assertTrue(Files.notExists(dir));
    }

    @Test
    void evaluateTheTruthAndTheObservation() throws Exception {
        Path test = data.resolve("test.npz");
        Run perfect = ok("evaluate", "--data", test.toString(), "--pred", test.toString(), "--json");
        JsonNode j = Json.mapper().readTree(perfect.out());
        assertEquals(0, j.path("mse").path("mean").asDouble(), 1e-12);
        assertEquals(0, j.path("spectral_error").path("mean").asDouble(), 1e-12);
        Run observation = ok("evaluate", "--data", test.toString(), "--pred", test.toString(), "--pred-key", "y");
        assertTrue(observation.out().contains("MSE [1e-5]"), observation.out());
        // K samples per observation: [n, K, N, N]
        HostArray x0 = Npz.read(test, "x0");
        float[] twice = new float[x0.size() * 2];
        for (int i = 0; i < 6; i++) {
            System.arraycopy(x0.data(), i * 256, twice, (2 * i) * 256, 256);
            System.arraycopy(x0.data(), i * 256, twice, (2 * i + 1) * 256, 256);
        }
        Path pred = tmp.resolve("k2.npz");
        Npz.write(pred, Map.of("x0", new HostArray(twice, 6, 2, 16, 16)));
        JsonNode k2 = Json.mapper()
                .readTree(ok("evaluate", "--data", test.toString(), "--pred", pred.toString(), "--json")
                        .out());
        assertEquals(2, k2.path("predictions_per_sample").asInt());
        assertEquals(0, k2.path("sample_mean_mse").path("mean").asDouble(), 1e-12);
    }

    @Test
    void evaluateRejectsBadPredictionsWithOneClearLine() throws Exception {
        String test = data.resolve("test.npz").toString();
        fails(
                "file not found",
                "evaluate",
                "--data",
                test,
                "--pred",
                tmp.resolve("missing.npz").toString());
        Path wrongN = tmp.resolve("wrongN.npz");
        Npz.write(wrongN, Map.of("x0", HostArray.zeros(6, 8, 8)));
        fails("wrongN.npz", "evaluate", "--data", test, "--pred", wrongN.toString());
        Path wrongCount = tmp.resolve("wrongCount.npz");
        Npz.write(wrongCount, Map.of("x0", HostArray.zeros(5, 16, 16)));
        fails("5", "evaluate", "--data", test, "--pred", wrongCount.toString());
        Path nan = tmp.resolve("nan.npz");
        HostArray bad = HostArray.zeros(6, 16, 16);
        bad.data()[300] = Float.NaN;
        Npz.write(nan, Map.of("x0", bad));
        fails("non-finite", "evaluate", "--data", test, "--pred", nan.toString());
        fails("'nope'", "evaluate", "--data", test, "--pred", test, "--pred-key", "nope");
        Path truncated = tmp.resolve("truncated.npz");
        byte[] bytes = Files.readAllBytes(Path.of(test));
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
        fails("truncated.npz", "evaluate", "--data", test, "--pred", truncated.toString());
        Path lonely = tmp.resolve("lonely");
        Files.createDirectories(lonely);
        Files.copy(Path.of(test), lonely.resolve("test.npz"));
        fails(
                DatasetStore.MANIFEST,
                "evaluate",
                "--data",
                lonely.resolve("test.npz").toString(),
                "--pred",
                test);
    }

    @Test
    void helpAndUnknownCommands() {
        assertTrue(ok("--help").out().contains("generate"));
        assertEquals(2, run("frobnicate").code());
    }
}
