package dev.smdp4j.cli;

import static dev.smdp4j.cli.CommandLineTest.fails;
import static dev.smdp4j.cli.CommandLineTest.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.Json;
import dev.smdp4j.io.Npz;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The toy SDE through the command line: generate, train each of its methods, sample 1-D inputs, evaluate. */
class ToyCommandTest {
    @TempDir
    static Path tmp;

    static Path data;

    @BeforeAll
    static void generate() {
        data = tmp.resolve("data");
        ok(
                "generate",
                "--problem",
                "toy-sde",
                "--out",
                data.toString(),
                "--train",
                "64",
                "--test",
                "6",
                "--steps",
                "10",
                "--end-time",
                "0.5"); // short: barely trained networks must not blow the reverse process up
    }

    @Test
    void generateRecordsTheProblem() {
        JsonNode manifest = Json.read(data.resolve("dataset.json"));
        assertEquals("toy-sde", manifest.path("problem").asText());
        assertEquals(7.0, manifest.path("parameters").path("lambda").asDouble());
        assertArrayEquals(
                new int[] {6, 1}, Npz.read(data.resolve("test.npz"), "y").shape());
    }

    @Test
    void trainSampleAndEvaluateEveryToyMethod() throws Exception {
        HostArray starts = new HostArray(new float[] {-0.05f, 0f, 0.05f}, 3);
        Path input = tmp.resolve("starts.npz");
        Npz.write(input, Map.of("y", starts));
        for (String method : new String[] {"smdp", "ism", "ssm-vr"}) {
            Path run = tmp.resolve(method);
            ok(
                    "train",
                    "--data",
                    data.toString(),
                    "--out",
                    run.toString(),
                    "--method",
                    method,
                    "--schedule",
                    method.equals("smdp") ? "2:1:16:1e-3:1e-3:0,4:1:16:1e-3:1e-3:0" : "1:2:16:1e-3:1e-3",
                    "--val-size",
                    "8",
                    "--quiet");
            JsonNode history = Json.read(run.resolve("history.json"));
            assertEquals("mlp", history.path("network").path("architecture").asText());
            Path out = tmp.resolve(method + ".npz");
            ok(
                    "sample",
                    "--model",
                    run.resolve("last.ckpt").toString(),
                    "--data",
                    data.toString(),
                    "--input",
                    input.toString(),
                    "--key",
                    "y",
                    "--sampler",
                    "sde",
                    "--samples",
                    "2",
                    "--out",
                    out.toString(),
                    "--quiet");
            HostArray x0 = Npz.read(out, "x0");
            assertArrayEquals(new int[] {3, 2, 1}, x0.shape(), method);
        }
        Path pred = tmp.resolve("pred.npz");
        ok(
                "sample",
                "--model",
                tmp.resolve("smdp").resolve("last.ckpt").toString(),
                "--input",
                data.resolve("test.npz").toString(),
                "--sampler",
                "ode",
                "--out",
                pred.toString(),
                "--quiet");
        JsonNode metrics = Json.mapper()
                .readTree(ok(
                                "evaluate",
                                "--data",
                                data.resolve("test.npz").toString(),
                                "--pred",
                                pred.toString(),
                                "--json")
                        .out());
        assertTrue(metrics.has("mse") && metrics.has("q_loss"), metrics.toString());
        Path exact = tmp.resolve("exact.npz");
        ok(
                "sample",
                "--model",
                "exact-score",
                "--data",
                data.toString(),
                "--input",
                input.toString(),
                "--key",
                "y",
                "--sampler",
                "sde",
                "--out",
                exact.toString(),
                "--quiet");
        assertArrayEquals(new int[] {3, 1, 1}, Npz.read(exact, "x0").shape());
    }

    /** The user's own trajectories as a data set: training takes its windows from them; sampling as usual. */
    @Test
    void importedTrajectoriesTrainAndSample() {
        Path generated = tmp.resolve("with-traj");
        ok(
                "generate",
                "--problem",
                "toy-sde",
                "--out",
                generated.toString(),
                "--train",
                "40",
                "--test",
                "2",
                "--steps",
                "20",
                "--end-time",
                "1",
                "--trajectories");
        Path imported = tmp.resolve("imported");
        ok(
                "import",
                "--problem",
                "toy-sde",
                "--traj",
                generated.resolve("trajectories.npz").toString(),
                "--end-time",
                "1",
                "--diffusion",
                "0.03",
                "--test",
                "8",
                "--out",
                imported.toString());
        JsonNode manifest = Json.read(imported.resolve("dataset.json"));
        assertTrue(manifest.path("train_on_trajectories").asBoolean(), manifest.toString());
        assertEquals(32, manifest.path("parameters").path("train_size").asInt());
        assertEquals(20, manifest.path("parameters").path("steps").asInt());
        HostArray traj = Npz.read(generated.resolve("trajectories.npz"), "traj");
        HostArray y = Npz.read(imported.resolve("test.npz"), "y");
        assertEquals(traj.data()[33 * 21 - 1], y.data()[0], "the first test observation is trajectory 32's end state");
        Path run = tmp.resolve("imported-run");
        ok(
                "train",
                "--data",
                imported.toString(),
                "--out",
                run.toString(),
                "--schedule",
                "2:1:8:1e-3:1e-3:0",
                "--val-size",
                "4",
                "--quiet");
        Path out = tmp.resolve("imported.npz");
        ok(
                "sample",
                "--model",
                run.resolve("last.ckpt").toString(),
                "--input",
                imported.resolve("test.npz").toString(),
                "--sampler",
                "sde",
                "--out",
                out.toString(),
                "--quiet");
        assertArrayEquals(new int[] {8, 1, 1}, Npz.read(out, "x0").shape());
        fails(
                "expected trajectories [n, M+1, 1]",
                "import",
                "--problem",
                "toy-sde",
                "--traj",
                data.resolve("test.npz").toString(),
                "--key",
                "y",
                "--end-time",
                "1",
                "--diffusion",
                "0.03",
                "--out",
                tmp.resolve("bad-import").toString());
        fails(
                "--jitter cannot be used with",
                "train",
                "--data",
                imported.toString(),
                "--out",
                tmp.resolve("bad-import-run").toString(),
                "--method",
                "smdp",
                "--jitter",
                "--schedule",
                "2:1:8:1e-3:1e-3:0",
                "--quiet");
    }

    @Test
    void clearErrorsForWhatDoesNotApply() {
        Npz.write(tmp.resolve("bad.npz"), Map.of("y", new HostArray(new float[8], 4, 2)));
        fails(
                "--grid, --exponent and --alpha apply to the heat problem only",
                "generate",
                "--problem",
                "toy-sde",
                "--out",
                tmp.resolve("bad1").toString(),
                "--grid",
                "8");
        fails(
                "has no such parameter",
                "generate",
                "--problem",
                "toy-sde",
                "--out",
                tmp.resolve("bad2").toString(),
                "--set",
                "alpha=1");
        fails(
                "unknown problem 'nope'",
                "generate",
                "--problem",
                "nope",
                "--out",
                tmp.resolve("bad3").toString());
        fails(
                "does not apply to problem toy-sde",
                "train",
                "--data",
                data.toString(),
                "--out",
                tmp.resolve("bad4").toString(),
                "--method",
                "heatgen");
        fails(
                "expected shape [n, 1] or [n]",
                "sample",
                "--model",
                "exact-score",
                "--data",
                data.toString(),
                "--input",
                tmp.resolve("bad.npz").toString(),
                "--key",
                "y",
                "--out",
                tmp.resolve("bad5.npz").toString());
    }
}
