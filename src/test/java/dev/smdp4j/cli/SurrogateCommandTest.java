package dev.smdp4j.cli;

import static dev.smdp4j.cli.CommandLineTest.fails;
import static dev.smdp4j.cli.CommandLineTest.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.Json;
import dev.smdp4j.io.Npz;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** generate -> train --method surrogate -> train --physics surrogate:CKPT -> sample, through the command line. */
class SurrogateCommandTest {
    @TempDir
    Path tmp;

    @Test
    void smdpWithALearnedPhysicsFromTheCommandLine() throws Exception {
        String data = tmp.resolve("data").toString();
        ok("generate", "--out", data, "--train", "40", "--test", "4", "--grid", "16", "--steps", "4");
        Path surrogate = tmp.resolve("surrogate");
        ok(
                "train",
                "--method",
                "surrogate",
                "--data",
                data,
                "--out",
                surrogate.toString(),
                "--schedule",
                "1:40:4:3e-1:1e-4",
                "--val-size",
                "8",
                "--quiet");
        JsonNode last =
                Json.read(surrogate.resolve("history.json")).path("epochs").get(39);
        assertTrue(last.path("val_one_step_rel_l2").asDouble() < 0.02, last.toString());
        String physics = "surrogate:" + surrogate.resolve("best.ckpt");
        Path run = tmp.resolve("smdp");
        ok(
                "train",
                "--data",
                data,
                "--out",
                run.toString(),
                "--physics",
                physics,
                "--schedule",
                "1:1:8:1e-3:1e-3",
                "--width",
                "8",
                "--blocks",
                "1",
                "--dilations",
                "1,2",
                "--val-size",
                "8",
                "--quiet");
        String model = run.resolve("best.ckpt").toString();
        String test = tmp.resolve("data/test.npz").toString();
        ok(
                "sample",
                "--model",
                model,
                "--input",
                test,
                "--sampler",
                "ode",
                "--out",
                tmp.resolve("a.npz").toString(),
                "--quiet");
        JsonNode provenance = Json.read(tmp.resolve("a.json"));
        assertEquals(
                "surrogate:" + surrogate.resolve("best.ckpt").toAbsolutePath(),
                provenance.path("physics").asText());
        HostArray x0 = Npz.read(tmp.resolve("a.npz"), "x0");
        assertEquals(-1, x0.firstNonFinite());
        ok(
                "sample",
                "--model",
                model,
                "--input",
                test,
                "--sampler",
                "ode",
                "--physics",
                "spectral",
                "--out",
                tmp.resolve("b.npz").toString(),
                "--quiet");
        assertEquals(
                "spectral", Json.read(tmp.resolve("b.json")).path("physics").asText());

        fails(
                "--physics must be",
                "train",
                "--data",
                data,
                "--out",
                tmp.resolve("x").toString(),
                "--physics",
                "fft");
        fails(
                "applies to --method smdp only",
                "train",
                "--data",
                data,
                "--out",
                tmp.resolve("y").toString(),
                "--method",
                "heatgen",
                "--physics",
                physics);
        fails(
                "not a reconstruction model",
                "sample",
                "--model",
                surrogate.resolve("best.ckpt").toString(),
                "--input",
                test,
                "--out",
                tmp.resolve("c.npz").toString());
        Files.move(surrogate.resolve("best.ckpt"), tmp.resolve("moved.ckpt"));
        fails(
                "does not exist",
                "sample",
                "--model",
                model,
                "--input",
                test,
                "--out",
                tmp.resolve("d.npz").toString());
        ok(
                "sample",
                "--model",
                model,
                "--input",
                test,
                "--physics",
                "surrogate:" + tmp.resolve("moved.ckpt"),
                "--out",
                tmp.resolve("e.npz").toString(),
                "--quiet");
    }
}
