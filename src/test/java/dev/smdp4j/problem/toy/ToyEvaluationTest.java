package dev.smdp4j.problem.toy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smdp4j.io.HostArray;
import dev.smdp4j.problem.toy.ToyEvaluation.Row;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The toy evaluation's end states, table entries and drawn paths (no engine). */
class ToyEvaluationTest {
    @Test
    void theStartsAreLinspaceFromMinusToPlusPointOne() {
        float[] starts = ToyEvaluation.starts();
        assertEquals(ToyEvaluation.STARTS, starts.length);
        assertEquals(-0.1f, starts[0], 0f);
        assertEquals(0.1f, starts[starts.length - 1], 1e-7f);
        for (int i = 0; i < starts.length; i++) {
            assertEquals(-starts[i], starts[starts.length - 1 - i], 1e-7f, "symmetric about 0 at " + i);
        }
    }

    @Test
    void anEntryCountsDivergedPathsAsMissesAndGivesQAtBothTolerances() {
        float[] ends = {-1f, -1.05f, 1f, 1.005f, Float.NaN, 0f, Float.POSITIVE_INFINITY, 3f};
        Map<String, Object> entry = ToyEvaluation.entry(new Row("SMDP-SDE", "smdp", "sde"), "runs/x/best.ckpt", ends);
        assertEquals("SMDP-SDE", entry.get("row"));
        assertEquals("runs/x/best.ckpt", entry.get("model"));
        assertEquals("sde", entry.get("sampler"));
        assertEquals(2, entry.get("diverged"));
        assertEquals(1 / 8.0, (double) entry.get("hit_minus_1pct"), 1e-12);
        assertEquals(2 / 8.0, (double) entry.get("hit_plus_1pct"), 1e-12);
        assertEquals(2 / 8.0, (double) entry.get("q_1pct"), 1e-12);
        assertEquals(2 / 8.0, (double) entry.get("hit_minus_10pct"), 1e-12);
        assertEquals(4 / 8.0, (double) entry.get("q_10pct"), 1e-12);
    }

    @Test
    void onlyFinitePathsAreDrawn() {
        HostArray paths = new HostArray(new float[] {0, 1, 2, 3, Float.NaN, 5, 6, 7, 8}, 3, 3);
        double[][] finite = ToyEvaluation.finitePaths(paths);
        assertEquals(2, finite.length);
        assertArrayEquals(new double[] {0, 1, 2}, finite[0]);
        assertArrayEquals(new double[] {6, 7, 8}, finite[1]);
    }
}
