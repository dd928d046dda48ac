package dev.smdp4j.cli;

import static dev.smdp4j.cli.CommandLineTest.fails;
import static dev.smdp4j.cli.CommandLineTest.ok;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.Json;
import dev.smdp4j.io.Npz;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every baseline of Table 1 trains, validates and samples through the same commands as SMDP, on tiny sizes. */
class BaselineCommandTest {
    @TempDir
    static Path tmp;

    static Path data;
    static String test;

    @BeforeAll
    static void generate() {
        data = tmp.resolve("data");
        ok("generate", "--out", data.toString(), "--train", "48", "--test", "4", "--grid", "16", "--steps", "4");
        test = data.resolve("test.npz").toString();
    }

    /** Small networks for a 16 x 16 grid (also used by {@code GcPressureDeterminismTest}). */
    static String[] tinyNetwork(String method) {
        if (method.startsWith("bnn")) {
            return new String[] {"--width", "4", "--levels", "4", "--dropout", "0.1"};
        }
        if (method.startsWith("fno")) {
            return new String[] {"--width", "6", "--modes", "4", "--layers", "2"};
        }
        return new String[] {"--width", "8", "--blocks", "1", "--dilations", "1,2"};
    }

    private static Path train(String method, String schedule) {
        Path run = tmp.resolve(method);
        String[] base = {
            "train",
            "--method",
            method,
            "--data",
            data.toString(),
            "--out",
            run.toString(),
            "--schedule",
            schedule,
            "--val-size",
            "8",
            "--quiet"
        };
        String[] args = Arrays.copyOf(base, base.length + tinyNetwork(method).length);
        System.arraycopy(tinyNetwork(method), 0, args, base.length, tinyNetwork(method).length);
        ok(args);
        return run;
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet-s", "resnet-p", "bnn-s", "bnn-p", "fno-s", "fno-p"})
    void oneShotBaselineTrainsLowersItsLossAndSamples(String method) throws Exception {
        Path run = train(method, "1:6:8:3e-3:1e-3");
        JsonNode epochs = Json.read(run.resolve("history.json")).path("epochs");
        assertEquals(6, epochs.size());
        double first = epochs.get(0).path("loss").asDouble();
        double last = epochs.get(5).path("loss").asDouble();
        assertTrue(last < first, method + ": loss " + first + " -> " + last);
        assertTrue(epochs.get(5).has("val_mse"), epochs.get(5).toString());
        JsonNode meta = dev.smdp4j.io.Checkpoint.read(run.resolve("best.ckpt")).metadata();
        assertEquals(method, meta.path("method").asText());
        assertEquals("val_mse", meta.path("selection_metric").asText());

        Path out = tmp.resolve(method + ".npz");
        ok(
                "sample",
                "--model",
                run.resolve("best.ckpt").toString(),
                "--input",
                test,
                "--samples",
                "3",
                "--out",
                out.toString(),
                "--quiet");
        HostArray x0 = Npz.read(out, "x0");
        assertArrayEquals(new int[] {4, 3, 16, 16}, x0.shape());
        assertEquals(-1, x0.firstNonFinite());
        float[] a = x0.slice(0).slice(0).data();
        float[] b = x0.slice(0).slice(1).data();
        if (method.startsWith("bnn")) {
            assertNotEquals(Arrays.toString(a), Arrays.toString(b), "MC dropout samples must differ");
        } else {
            assertArrayEquals(a, b, "a deterministic baseline gives identical samples");
        }
        assertEquals(
                "one-shot",
                Json.read(tmp.resolve(method + ".json")).path("sampler").asText());
        ok("evaluate", "--data", test, "--pred", out.toString());
        fails(
                "does not apply",
                "sample",
                "--model",
                run.resolve("best.ckpt").toString(),
                "--input",
                test,
                "--sampler",
                "sde",
                "--out",
                tmp.resolve(method + "-x.npz").toString());
    }

    @Test
    void heatGenTrainsThroughTheUnrolledLossAndSamplesWithAndWithoutNoise() throws Exception {
        Path run = train("heatgen", "1:2:8:1e-3:1e-3,2:2:8:3e-4:1e-4");
        JsonNode meta = dev.smdp4j.io.Checkpoint.read(run.resolve("last.ckpt")).metadata();
        assertEquals("heatgen", meta.path("method").asText());
        assertEquals("none", meta.path("physics").asText());
        JsonNode epochs = Json.read(run.resolve("history.json")).path("epochs");
        assertTrue(epochs.get(3).has("val_ode_mse"), epochs.get(3).toString());
        HostArray[] samples = new HostArray[2];
        String[] samplers = {"ode", "sde"};
        for (int i = 0; i < 2; i++) {
            Path out = tmp.resolve("heatgen-" + samplers[i] + ".npz");
            ok(
                    "sample",
                    "--model",
                    run.resolve("last.ckpt").toString(),
                    "--input",
                    test,
                    "--sampler",
                    samplers[i],
                    "--samples",
                    "2",
                    "--out",
                    out.toString(),
                    "--quiet");
            samples[i] = Npz.read(out, "x0");
            assertEquals(-1, samples[i].firstNonFinite());
        }
        // HeatGen (ode) is deterministic; HeatGen+noise (sde) draws different samples.
        assertArrayEquals(
                samples[0].slice(0).slice(0).data(),
                samples[0].slice(0).slice(1).data());
        assertNotEquals(
                Arrays.toString(samples[1].slice(0).slice(0).data()),
                Arrays.toString(samples[1].slice(0).slice(1).data()));
    }

    @Test
    void oneShotMethodsRefuseUnrolledWindows() {
        fails(
                "window 1",
                "train",
                "--method",
                "fno-s",
                "--data",
                data.toString(),
                "--out",
                tmp.resolve("bad").toString(),
                "--schedule",
                "2:1:8:1e-3:1e-3",
                "--quiet");
    }
}
