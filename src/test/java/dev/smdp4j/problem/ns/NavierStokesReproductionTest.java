package dev.smdp4j.problem.ns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smdp4j.EngineTest;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.DatasetStore;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.Json;
import dev.smdp4j.pipeline.StageCache;
import dev.smdp4j.sample.MapEstimate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Navier-Stokes reproduction at toy size: its table has the seven rows with the metrics of
 * the problem, the MAP row equals the MAP estimate computed directly and scored by the problem, the
 * figures are written, and a second run reuses every stage and writes the same numbers.
 */
class NavierStokesReproductionTest extends EngineTest {
    @TempDir
    Path out;

    private static NavierStokesReproduction.Profile tiny() {
        NavierStokesProblem problem = new NavierStokesProblem(16, 4, 0.05, 0, 0.05);
        return new NavierStokesReproduction.Profile(
                "tiny",
                new DatasetSpec(problem, 24, 4, 0.5, 4, 0.25, 0.025, 3),
                NavierStokesReproduction.METHODS.stream().collect(Collectors.toMap(m -> m, m -> "1:1:8:1e-3:1e-3")),
                2,
                3,
                5);
    }

    @Test
    void writesTheTableAndFiguresAndReusesItsStages() throws Exception {
        new NavierStokesReproduction(out, tiny(), 5, false).run(manager);
        JsonNode table = Json.read(out.resolve("table.json"));
        JsonNode rows = table.path("rows");
        assertEquals(7, rows.size(), table.toString());
        assertEquals("SMDP-ODE", rows.get(0).path("row").asText());
        assertEquals(1, rows.get(0).path("samples").asInt());
        assertEquals(2, rows.get(1).path("samples").asInt());
        assertTrue(rows.get(1).path("spread_skill").isNumber(), rows.get(1).toString());
        for (JsonNode r : rows) {
            assertTrue(r.path("seconds_per_observation").asDouble() > 0, r.toString());
            assertTrue(r.has("mse") && r.has("spectrum") && r.has("x0_mse"), r.toString());
        }
        assertTrue(Files.size(out.resolve("vorticity.png")) > 1000);
        assertTrue(Files.size(out.resolve("spectra.png")) > 1000);
        String md = Files.readString(out.resolve("table.md"));
        assertTrue(md.contains("| SMDP-SDE | sde | 2 |") && md.contains("| MAP | map | 1 |"), md);
        for (String baseline : List.of("ResNet-S", "ResNet-P", "FNO-S", "FNO-P")) {
            assertTrue(md.contains("| " + baseline + " | one-shot | 1 |"), md);
        }

        // the SDE row samples the calibrated checkpoint, which records a candidate factor
        assertEquals(
                "calibration/sde.ckpt",
                rows.get(1).path("model").asText(),
                rows.get(1).toString());
        JsonNode calibration = dev.smdp4j.io.Checkpoint.read(out.resolve("calibration/sde.ckpt"))
                .metadata()
                .path(dev.smdp4j.pipeline.SdeCalibration.KEY);
        assertTrue(
                NavierStokesReproduction.SDE_FACTORS.contains(
                        calibration.path("score_factor").asDouble()),
                calibration.toString());
        assertTrue(Files.isRegularFile(out.resolve("shipped/smdp-navier-stokes-2d-sde.ckpt")));

        // the MAP row: the estimate made directly and scored by the problem
        DatasetStore store = DatasetStore.open(out.resolve(StageCache.DATA));
        DatasetSpec spec = store.spec();
        HostArray truth = store.testX0().rows(0, 3);
        HostArray y = store.testY().rows(0, 3);
        HostArray map = spec.problem()
                .mapEstimate(
                        manager,
                        spec,
                        store.normalisation(),
                        y,
                        MapEstimate.Settings.defaults().withIterations(5));
        Map<String, Double> expected = spec.problem().metrics(truth, map.sliceSecondAxis(0), spec);
        JsonNode mapRow = rows.get(6);
        for (String metric : expected.keySet()) {
            assertEquals(
                    expected.get(metric),
                    mapRow.path(metric).asDouble(),
                    1e-9 * Math.abs(expected.get(metric)),
                    metric);
        }

        // a second run reuses the data, the training and the predictions
        new NavierStokesReproduction(out, tiny(), 5, false).run(manager);
        String log = Files.readString(out.resolve(StageCache.LOG));
        assertTrue(log.contains("data: reused") && log.contains("train smdp: reused"), log);
        assertTrue(log.contains("train fno-p: reused") && log.contains("sde calibration: reused"), log);
        JsonNode again = Json.read(out.resolve("table.json")).path("rows");
        for (int i = 0; i < rows.size(); i++) {
            assertEquals(
                    rows.get(i).path("mse").asDouble(),
                    again.get(i).path("mse").asDouble(),
                    rows.get(i).toString());
        }
    }

    @Test
    void rejectsOtherProblemsAndUnknownProfiles() {
        assertThrows(
                InvalidInputException.class,
                () -> new NavierStokesReproduction.Profile("x", DatasetSpec.paper(), Map.of(), 2, 1, 1));
        var e = assertThrows(InvalidInputException.class, () -> NavierStokesReproduction.Profile.named("huge"));
        assertTrue(e.getMessage().contains("valid: quick, paper"), e.getMessage());
    }
}
