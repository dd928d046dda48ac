package dev.smdp4j.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smdp4j.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stage table and run log that make a reproduction resumable. */
class StageCacheTest {
    @Test
    void stageTimesAddUpAcrossRunsAndSurviveInStagesJson(@TempDir Path out) {
        StageCache first = new StageCache(out, false);
        assertEquals("done", first.stage("data", () -> "done", true));
        first.record("train smdp", 1.5);
        StageCache second = new StageCache(out, false); // a rerun reads the table back
        second.record("train smdp", 2.0);
        assertEquals("skipped", second.stage("tables", () -> "skipped", false));
        Map<String, Object> stages = second.stages();
        assertEquals(List.of("data", "train smdp"), List.copyOf(stages.keySet()));
        assertEquals(3.5, ((Number) ((Map<?, ?>) stages.get("train smdp")).get("seconds")).doubleValue(), 1e-12);
        assertEquals(
                3.5,
                Json.read(out.resolve(StageCache.STAGES))
                        .path("train smdp")
                        .path("seconds")
                        .asDouble(),
                1e-12);
        assertTrue(Json.read(out.resolve(StageCache.STAGES)).path("data").has("finished"));
    }

    @Test
    void eachRunAppendsItsLinesToTheLog(@TempDir Path out) throws Exception {
        StageCache first = new StageCache(out, false);
        first.log("first run");
        first.record("train smdp", 0.25);
        first.writeLog();
        StageCache second = new StageCache(out, false);
        second.log("second run");
        second.writeLog();
        second.writeLog(); // nothing new: nothing added
        List<String> lines = Files.readAllLines(out.resolve(StageCache.LOG));
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(0).endsWith("  first run"), lines.get(0));
        assertTrue(
                lines.get(1).endsWith("  train smdp: 0.2 s") || lines.get(1).endsWith("  train smdp: 0.3 s"),
                lines.get(1));
        assertTrue(lines.get(2).endsWith("  second run"), lines.get(2));
    }

    @Test
    void aChildProcessLeavesTheTableAndTheLogToItsParent(@TempDir Path out) {
        StageCache child = new StageCache(out, false);
        child.childOnly();
        child.record("train smdp", 1);
        child.log("child");
        child.writeLog();
        assertFalse(Files.exists(out.resolve(StageCache.STAGES)));
        assertFalse(Files.exists(out.resolve(StageCache.LOG)));
        assertTrue(child.stages().isEmpty());
    }

    @Test
    void trainingsLiveInKeyedRunDirectories(@TempDir Path out) {
        StageCache cache = new StageCache(out, false);
        String key = StageCache.runKey(Map.of("method", "smdp"), Map.of("architecture", "unet"), "abc");
        assertTrue(key.matches("[0-9a-f]{12}"), key);
        assertEquals(key, StageCache.runKey(Map.of("method", "smdp"), Map.of("architecture", "unet"), "abc"));
        assertFalse(key.equals(StageCache.runKey(Map.of("method", "smdp"), Map.of("architecture", "unet"), "abd")));
        assertEquals(out.resolve("runs").resolve("smdp-" + key), cache.runDir("smdp", key));
        assertFalse(StageCache.isComplete(cache.runDir("smdp", key)), "no last.ckpt: not complete");
    }
}
