package dev.smdp4j.problem.toy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.io.Json;
import dev.smdp4j.train.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code smdp reproduce --problem toy-sde} at small size: table, figures, and a second run that reuses every stage. */
class ToyReproductionTest {

    @Test
    void writesTheTableAndFiguresAndReusesEveryStage(@TempDir Path out) throws Exception {
        DatasetSpec small = new DatasetSpec(ToySde.paper(), 300, 10, 1.0, 20, 0.03, 0, 0);
        Map<Method, String> schedules = Map.of(
                Method.SMDP,
                "1:2:64:1e-3:1e-3:0,4:1:64:1e-3:1e-3:4",
                Method.ISM,
                "1:2:64:1e-3:1e-3",
                Method.SSM_VR,
                "1:2:64:1e-3:1e-3");
        try (NDManager m = NDManager.newBaseManager()) {
            new ToyReproduction(out, 0, false, small, 20, schedules).run(m);
        }
        JsonNode table = Json.read(out.resolve("table.json"));
        assertEquals(ToyReproduction.ROWS.size(), table.path("rows").size());
        for (JsonNode row : table.path("rows")) {
            double q = row.path("q_10pct").asDouble();
            double minus = row.path("hit_minus_10pct").asDouble();
            double plus = row.path("hit_plus_10pct").asDouble();
            assertEquals(2 * Math.min(minus, plus), q, 1e-12, row.toString());
            assertTrue(minus + plus <= 1 && row.path("q_1pct").asDouble() <= q + 1e-12, row.toString());
        }
        // The starts are symmetric about 0 and the exact score is odd: the deterministic flow's ends are too.
        JsonNode exactOde = table.path("rows").get(6);
        assertEquals("exact-score pf-ode", exactOde.path("row").asText());
        assertEquals(
                exactOde.path("hit_minus_10pct").asDouble(),
                exactOde.path("hit_plus_10pct").asDouble(),
                1e-12);
        assertEquals(0, exactOde.path("diverged").asInt());
        assertTrue(Files.readString(out.resolve("table.md")).contains("| SMDP-SDE | sde |"));
        for (String png : new String[] {"trajectories.png", "histograms.png"}) {
            assertTrue(ImageIO.read(out.resolve(png).toFile()).getWidth() > 1000, png);
        }
        // Every validation scores both samplers (a diverging path is a miss, counted), none fails.
        try (var runs = Files.newDirectoryStream(out.resolve("runs"), "smdp-*")) {
            for (Path run : runs) {
                for (JsonNode epoch : Json.read(run.resolve("history.json")).path("epochs")) {
                    if (epoch.has("val_ode_q_loss")) {
                        assertTrue(epoch.path("val_sde_q_loss").isNumber(), epoch.toString());
                        assertTrue(epoch.path("val_sde_diverged").isInt(), epoch.toString());
                        assertFalse(epoch.has("val_sde_error") || epoch.has("val_ode_error"), epoch.toString());
                    }
                }
            }
        }
        String tableBefore = Files.readString(out.resolve("table.csv"));
        try (NDManager m = NDManager.newBaseManager()) {
            new ToyReproduction(out, 0, false, small, 20, schedules).run(m);
        }
        String log = Files.readString(out.resolve("log.txt"));
        for (String method : new String[] {"smdp", "ism", "ssm-vr"}) {
            assertTrue(log.contains("train " + method + ": reused"), log);
        }
        assertEquals(tableBefore, Files.readString(out.resolve("table.csv")), "the cached samples give the same table");
    }
}
