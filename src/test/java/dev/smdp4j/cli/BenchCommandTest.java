package dev.smdp4j.cli;

import static dev.smdp4j.cli.CommandLineTest.fails;
import static dev.smdp4j.cli.CommandLineTest.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import com.fasterxml.jackson.databind.JsonNode;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.Json;
import dev.smdp4j.nn.ScoreNetConfig;
import dev.smdp4j.pipeline.Pretrained;
import dev.smdp4j.train.CheckpointMetadata;
import dev.smdp4j.util.Engines;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code smdp bench}: every group measured, rates consistent, FLOPs counted right. */
class BenchCommandTest {

    /**
     * The FLOP count behind every "fraction of peak" equals an independent count from the built
     * block: 2 x (output channels x input channels x kernel area) per pixel for every convolution
     * weight (all convolutions of the score network run at full resolution).
     */
    @Test
    void networkFlopsEqualTheConvolutionWeightsCount() {
        ScoreNetConfig config = ScoreNetConfig.defaults();
        int n = 16;
        try (NDManager m = Engines.newManager()) {
            Block block = config.build(3);
            block.initialize(m, DataType.FLOAT32, new Shape(1, 3, n, n));
            long perPixel = 0;
            for (var p : block.getParameters()) {
                Shape s = p.getValue().getArray().getShape();
                if (s.dimension() == 4) {
                    perPixel += 2 * s.size();
                }
            }
            assertTrue(perPixel > 0);
            assertEquals(perPixel * n * n, config.flopsPerSample(n, 3));
        }
    }

    @Test
    void benchMeasuresEveryGroupAndReportsFractionsOfThePeak() throws Exception {
        CommandLineTest.Run r = ok(
                "bench",
                "--grid",
                "16",
                "--batch",
                "4",
                "--windows",
                "1,4",
                "--repeats",
                "1",
                "--graph-evals",
                "4",
                "--net-batches",
                "1,4",
                "--warm-up",
                "0",
                "--json");
        JsonNode report = Json.mapper().readTree(r.out());
        double peak = report.path("practical_peak_gflops").asDouble();
        assertTrue(peak > 0, r.out());
        List<String> groups = new ArrayList<>();
        for (JsonNode row : report.path("rows")) {
            String group = row.path("group").asText();
            if (!groups.contains(group)) {
                groups.add(group);
            }
            assertTrue(row.path("ms").asDouble() > 0 && row.path("rate").asDouble() > 0, row.toString());
            if (row.path("gflops").isNumber()) {
                assertEquals(
                        row.path("gflops").asDouble() / peak,
                        row.path("fraction_of_peak").asDouble(),
                        1e-9);
            }
        }
        assertEquals(List.of("matmul", "physics", "network", "training", "sampling"), groups);
        long rows = 0;
        for (JsonNode row : report.path("rows")) {
            rows += row.path("group").asText().equals("training")
                            && row.path("name").asText().startsWith("window")
                    ? 1
                    : 0;
        }
        assertEquals(2, rows, "one training row per window");
        assertTrue(report.path("peak_rss_bytes").asLong() > 0);
    }

    /** With {@code --model} the report names the checkpoint's architecture, the one timed, not the default. */
    @Test
    void theReportNamesTheTimedCheckpointsNetwork() throws Exception {
        Path model = Pretrained.checkpoint(Pretrained.Use.ESTIMATE);
        JsonNode report = quickJson("bench", "network", "--model", model.toString(), "--net-batches", "1");
        JsonNode expected = Json.mapper()
                .valueToTree(CheckpointMetadata.of(Checkpoint.read(model))
                        .network(model)
                        .toMap());
        assertEquals(expected, report.path("network"));
        assertEquals(4, report.path("network").path("spectral_modes").asInt(), "the shipped model's spectral branch");
    }

    /** {@code --problem toy-sde}: the toy's network, training through the real loop and sampling, from its defaults. */
    @Test
    void anotherProblemIsMeasuredFromItsDefaults() throws Exception {
        JsonNode report = quickJson(
                "bench",
                "--problem",
                "toy-sde",
                "--net-batches",
                "1,16",
                "--windows",
                "1,4",
                "--batch",
                "16",
                "--sampling-batches",
                "4");
        assertEquals(
                "toy-sde",
                report.path("problem").path("problem").asText(),
                report.path("problem").toString());
        List<String> names = new ArrayList<>();
        for (JsonNode row : report.path("rows")) {
            names.add(row.path("group").asText() + ": " + row.path("name").asText());
            assertTrue(row.path("millis").asDouble() > 0 && row.path("rate").asDouble() > 0, row.toString());
        }
        assertEquals(
                List.of(
                        "network: forward, batch 1, t = 5.0",
                        "network: forward+backward, batch 1, t = 5.0",
                        "network: forward, batch 16, t = 5.0",
                        "network: forward+backward, batch 16, t = 5.0",
                        "training: window 1, batch 16",
                        "training: window 4, batch 16",
                        "sampling: ode, 499 steps, 4 observations per batch",
                        "sampling: sde, 499 steps, 4 observations per batch"),
                names);
        fails("measures all, network, training or sampling", "bench", "--problem", "toy-sde", "physics");
        fails("--model and --peer apply to the heat", "bench", "--problem", "toy-sde", "--model", "x.ckpt");
    }

    @Test
    void badTargetsAndParametersAreRefused() {
        fails("valid: all, profile, physics, network, training, sampling", "bench", "speed");
        fails("--warm-up", "bench", "--warm-up", "-1");
        fails("--windows", "bench", "--windows", "0");
        fails("--graph-evals", "bench", "--graph-evals", "-1");
    }

    /** The JSON report of {@code args} timed once, without warm-up. */
    private static JsonNode quickJson(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--repeats", "1", "--warm-up", "0", "--json"));
        return Json.mapper().readTree(ok(all.toArray(String[]::new)).out());
    }
}
