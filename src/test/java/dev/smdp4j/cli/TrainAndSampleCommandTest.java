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
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** generate -> train -> sample -> evaluate through the command line on tiny sizes. */
class TrainAndSampleCommandTest {
    @TempDir
    static Path tmp;

    static Path data;
    static Path run;

    @BeforeAll
    static void trainTiny() {
        data = tmp.resolve("data");
        run = tmp.resolve("run");
        ok("generate", "--out", data.toString(), "--train", "40", "--test", "5", "--grid", "16", "--steps", "4");
        ok(
                "train",
                "--data",
                data.toString(),
                "--out",
                run.toString(),
                "--schedule",
                "1:1:8:1e-3:1e-3,4:1:8:3e-4:1e-4",
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

    @Test
    void trainWritesCheckpointsAndHistory() {
        assertTrue(Files.isRegularFile(run.resolve("last.ckpt")));
        assertTrue(Files.isRegularFile(run.resolve("best.ckpt")));
        JsonNode history = Json.read(run.resolve("history.json"));
        assertEquals(2, history.path("epochs").size());
        assertTrue(history.path("epochs").get(1).has("val_ode_mse"));
    }

    @Test
    void sampleWithTheTrainedModelAndEvaluate() throws Exception {
        String test = data.resolve("test.npz").toString();
        Path out = tmp.resolve("sde.npz");
        ok(
                "sample",
                "--model",
                run.resolve("best.ckpt").toString(),
                "--input",
                test,
                "--sampler",
                "sde",
                "--samples",
                "3",
                "--out",
                out.toString(),
                "--quiet");
        HostArray x0 = Npz.read(out, "x0");
        assertArrayEquals(new int[] {5, 3, 16, 16}, x0.shape());
        assertEquals(-1, x0.firstNonFinite());
        JsonNode provenance = Json.read(tmp.resolve("sde.json"));
        assertEquals("sde", provenance.path("sampler").asText());
        JsonNode e = Json.mapper()
                .readTree(ok("evaluate", "--data", test, "--pred", out.toString(), "--json")
                        .out());
        assertEquals(3, e.path("predictions_per_sample").asInt());
        fails(
                "exists",
                "sample",
                "--model",
                run.resolve("best.ckpt").toString(),
                "--input",
                test,
                "--out",
                out.toString(),
                "--quiet");
    }

    @Test
    void closedFormsThroughTheSameCommand() throws Exception {
        String test = data.resolve("test.npz").toString();
        for (String model :
                new String[] {"exact-score", "exact-net", "exact-posterior", "exact-posterior-mean", "map"}) {
            Path out = tmp.resolve(model + ".npz");
            ok(
                    "sample",
                    "--model",
                    model,
                    "--data",
                    data.toString(),
                    "--input",
                    test,
                    "--sampler",
                    "ode",
                    "--samples",
                    "2",
                    "--out",
                    out.toString(),
                    "--quiet");
            assertEquals(5, Npz.read(out, "x0").dim(0));
        }
        JsonNode mean = Json.mapper()
                .readTree(ok(
                                "evaluate",
                                "--data",
                                test,
                                "--pred",
                                tmp.resolve("exact-posterior-mean.npz").toString(),
                                "--json")
                        .out());
        JsonNode y = Json.mapper()
                .readTree(ok("evaluate", "--data", test, "--pred", test, "--pred-key", "y", "--json")
                        .out());
        assertTrue(mean.path("mse").path("mean").asDouble()
                < y.path("mse").path("mean").asDouble());
        // the MAP estimate through the solver is the posterior mean here (linear physics, Gaussian prior)
        float[] map = Npz.read(tmp.resolve("map.npz"), "x0").data();
        float[] exact = Npz.read(tmp.resolve("exact-posterior-mean.npz"), "x0").data();
        double scale = 0;
        double error = 0;
        for (int i = 0; i < map.length; i++) {
            scale = Math.max(scale, Math.abs(exact[i]));
            error = Math.max(error, Math.abs(map[i] - exact[i]));
        }
        assertTrue(error < 1e-3 * scale, "map vs exact-posterior-mean: max error " + error + " of " + scale);
    }

    @Test
    void badSamplingRequestsFailWithOneLine() {
        String test = data.resolve("test.npz").toString();
        String ckpt = run.resolve("best.ckpt").toString();
        fails(
                "valid: ode, sde, pf-ode, ode-heun, pc",
                "sample",
                "--model",
                ckpt,
                "--input",
                test,
                "--sampler",
                "euler",
                "--out",
                tmp.resolve("a.npz").toString());
        fails(
                "--steps",
                "sample",
                "--model",
                ckpt,
                "--input",
                test,
                "--steps",
                "0",
                "--out",
                tmp.resolve("b.npz").toString());
        fails(
                "--data",
                "sample",
                "--model",
                "exact-score",
                "--input",
                test,
                "--out",
                tmp.resolve("c.npz").toString());
        fails(
                "no such checkpoint",
                "sample",
                "--model",
                tmp.resolve("nope.ckpt").toString(),
                "--input",
                test,
                "--out",
                tmp.resolve("d.npz").toString());
        Path other = tmp.resolve("other");
        ok(
                "generate",
                "--out",
                other.toString(),
                "--train",
                "8",
                "--test",
                "2",
                "--grid",
                "16",
                "--steps",
                "4",
                "--alpha",
                "0.5");
        fails(
                "alpha",
                "sample",
                "--model",
                ckpt,
                "--data",
                other.toString(),
                "--input",
                test,
                "--out",
                tmp.resolve("e.npz").toString());
        fails(
                "unknown method",
                "train",
                "--data",
                data.toString(),
                "--out",
                tmp.resolve("r2").toString(),
                "--method",
                "gan");
        fails(
                "--resume",
                "train",
                "--data",
                data.toString(),
                "--out",
                run.toString(),
                "--schedule",
                "1:1:8:1e-3:1e-3",
                "--quiet");
    }
}
