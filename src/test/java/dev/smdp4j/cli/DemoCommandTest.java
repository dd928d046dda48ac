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
        assertTrue(summary.path("ode_mse_1e5").asDouble() < summary.path("sde_mse_1e5").asDouble(), summary.toString());
    }
}
