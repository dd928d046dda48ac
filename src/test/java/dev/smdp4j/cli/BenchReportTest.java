package dev.smdp4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smdp4j.bench.PhysicsBenchmark;
import dev.smdp4j.bench.SpeedSuite;
import dev.smdp4j.io.Json;
import dev.smdp4j.nn.ScoreNetConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code smdp bench} prints, from rows fixed by the test (no timing involved). */
class BenchReportTest {
    private static final List<SpeedSuite.Row> ROWS = List.of(
            new SpeedSuite.Row("matmul", "512x512 float32", 1.0, 1000, "calls/s", 200, 0),
            new SpeedSuite.Row("network", "forward, batch 4", 2.5, 1600, "evals/s", 50, 2_000_000_000L),
            new SpeedSuite.Row(
                    "training", "part: Adam update (3 parameter tensors)", 0.25, 4000, "updates/s", Double.NaN, 0));

    /** Standard output and standard error of {@code action}. */
    private static String[] capture(ThrowingRunnable action) throws Exception {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            action.run();
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new String[] {out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void theTableShowsEachRateAsAFractionOfTheMatmulPeak() throws Exception {
        String[] printed = capture(() -> new BenchReport(false).speed(ROWS, ScoreNetConfig.defaults(), 4, null, null));
        String out = printed[0];
        assertTrue(out.contains("practical peak (best float32 matmul): 200.0 GFLOP/s; useful FLOPs only"), out);
        assertTrue(
                out.contains("| network  | forward, batch 4" + " ".repeat(42)
                        + " |      2.50 |     1600.0 evals/s |    50.0 |     25% |  2.00 GB |"),
                out);
        assertTrue(
                out.contains("| training | part: Adam update (3 parameter tensors)" + " ".repeat(19)
                        + " |      0.25 |   4000.0 updates/s |         |         |          |"),
                "a row without a FLOP count leaves its GFLOP/s and fraction empty: " + out);
        assertTrue(out.contains("peak resident memory of this run: "), out);
        assertFalse(out.contains("side by side"), "no peer, no peer table");
    }

    @Test
    void jsonHasTheFractionWhereAFlopCountExistsAndNoProgressLines() throws Exception {
        BenchReport report = new BenchReport(true);
        String[] printed = capture(() -> {
            report.progress().accept("progress");
            report.speed(ROWS, ScoreNetConfig.defaults(), 4, null, null);
        });
        assertEquals("", printed[1], "no progress lines with --json");
        JsonNode json = Json.mapper().readTree(printed[0]);
        assertEquals(200, json.path("practical_peak_gflops").asDouble(), 0);
        assertEquals(4, json.path("graph_evaluations").asInt());
        assertEquals(
                ScoreNetConfig.defaults().width(),
                json.path("network").path("width").asInt());
        JsonNode network = json.path("rows").get(1);
        assertEquals("forward, batch 4", network.path("name").asText());
        assertEquals(0.25, network.path("fraction_of_peak").asDouble(), 1e-12);
        assertEquals(2_000_000_000L, network.path("peak_rss_bytes").asLong());
        assertFalse(json.path("rows").get(2).has("gflops"), "the optimizer row has no FLOP count");
        assertFalse(json.has("peer"));

        String[] table = capture(() -> new BenchReport(false).progress().accept("progress"));
        assertEquals("progress" + System.lineSeparator(), table[1], "progress to standard error otherwise");
    }

    @Test
    void thePhysicsDetailListsMicrosecondsPerCall() throws Exception {
        PhysicsBenchmark bench = new PhysicsBenchmark(4, 16, 10, 3);
        List<PhysicsBenchmark.Row> rows = List.of(new PhysicsBenchmark.Row("heat step dense, forward", 12.34));
        String text = capture(() -> new BenchReport(false).physics(bench, rows, 4, 16, 3, 10))[0];
        assertTrue(
                text.startsWith("heat step on 4 fields of 16x16 (median of 3 x 10 calls, microseconds per call)"),
                text);
        assertTrue(text.contains("  heat step dense, forward" + " ".repeat(12) + "       12.3 us"), text);
        JsonNode json =
                Json.mapper().readTree(capture(() -> new BenchReport(true).physics(bench, rows, 4, 16, 3, 10))[0]);
        assertEquals(
                12.34,
                json.path("microseconds_per_call")
                        .path("heat step dense, forward")
                        .asDouble(),
                0);
    }
}
