package dev.smdp4j.cli;

import static dev.smdp4j.cli.CommandLineTest.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smdp4j.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code smdp demo} with the shipped model: figures and metrics, no training. */
class DemoCommandTest {
    @TempDir
    Path tmp;

    @Test
    void demoWritesFiguresAndMetrics() throws Exception {
        Path out = tmp.resolve("demo");
        ok("demo", "--out", out.toString(), "--observations", "8", "--samples", "4", "--quiet");
        for (String f : new String[] {"fig2.png", "fig3.png", "demo.json"}) {
            assertTrue(Files.size(out.resolve(f)) > 1000, f);
        }
        JsonNode summary = Json.read(out.resolve("demo.json"));
        assertEquals(8, summary.path("observations").asInt());
        assertTrue(
                summary.path("ode_mse_1e5").asDouble()
                        < summary.path("sde_mse_1e5").asDouble(),
                summary.toString());
    }

    /**
     * The toy demo: the shipped toy models and the exact score from the 1000 evaluation end states.
     * Both shipped models reach both modes within the paper's 1% as recorded in docs/RESULTS.md
     * (Q 0.928 and 0.934), and the exact score's reverse SDE within 10%.
     */
    @Test
    void toyDemoReachesBothModesWithTheShippedModels() throws Exception {
        Path out = tmp.resolve("toy");
        ok("demo", "--problem", "toy-sde", "--out", out.toString());
        for (String f : new String[] {"trajectories.png", "histograms.png", "table.md", "table.csv"}) {
            assertTrue(Files.size(out.resolve(f)) > 200, f);
        }
        JsonNode rows = Json.read(out.resolve("table.json")).path("rows");
        assertEquals(3, rows.size());
        for (JsonNode row : rows) {
            assertEquals(0, row.path("diverged").asInt(), row.toString());
            // the SMDP rows at the paper's 1% (recorded: 0.928 and 0.934), the exact score at 10%
            String tolerance = row.path("row").asText().startsWith("SMDP") ? "q_1pct" : "q_10pct";
            assertTrue(row.path(tolerance).asDouble() > 0.9, row.toString());
        }
        CommandLineTest.fails("unknown problem 'heat-free'", "demo", "--problem", "heat-free");
    }

    /**
     * The Navier-Stokes demo: the shipped models on the first test observations, no training. The
     * ODE estimate, run forward through the solver, lands far closer to the clean end state than a
     * field of zeros would (mean squared end state about 4.3), and the SDE gives every sample.
     */
    @Test
    void navierStokesDemoScoresTheShippedModels() throws Exception {
        Path out = tmp.resolve("ns");
        ok(
                "demo",
                "--problem",
                "navier-stokes-2d",
                "--out",
                out.toString(),
                "--observations",
                "2",
                "--samples",
                "2",
                "--quiet");
        for (String f : new String[] {"vorticity.png", "spectra.png", "table.md", "table.json"}) {
            assertTrue(Files.size(out.resolve(f)) > 200, f);
        }
        JsonNode rows = Json.read(out.resolve("table.json")).path("rows");
        assertEquals(2, rows.size(), rows.toString());
        assertEquals("SMDP-ODE", rows.get(0).path("row").asText());
        assertEquals("SMDP-SDE", rows.get(1).path("row").asText());
        assertEquals(2, rows.get(1).path("samples").asInt(), rows.toString());
        assertTrue(rows.get(0).path("mse").asDouble() < 0.1, rows.toString());
        for (JsonNode row : rows) {
            assertEquals(0, row.path("diverged").asInt(), row.toString());
            assertTrue(Double.isFinite(row.path("spectrum").asDouble()), row.toString());
        }
    }
}
