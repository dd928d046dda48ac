package dev.smdp4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smdp4j.io.Json;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The run-state fields of a checkpoint: written by Jackson, and read back also from older checkpoints. */
class RunStateTest {

    @Test
    void roundTripsAndKeepsTheSurrogatesErrorOutOfTheSampleError() throws Exception {
        Position p = new Position(1, 2, 3, 40);
        RunState smdp = RunState.of(
                p,
                new TrainingLoop.Tally(1.5, 3, 1),
                false,
                40,
                "val_ode_mse",
                0.25,
                "val_sde_spectral_error",
                0.5,
                12,
                "2026-01-01T00:00:00Z",
                List.of(Map.of("loss", 1.0)));
        JsonNode form = Json.mapper().valueToTree(smdp.toMap());
        assertEquals(0.25, form.path("best_selection").asDouble());
        assertEquals(0.25, form.path("best_val_ode_mse").asDouble());
        assertEquals(1.5, form.path("epoch_tally").path("loss_sum").asDouble());
        assertEquals(40, form.path("position").path("step").asLong());
        assertEquals(smdp, Json.mapper().treeToValue(form, RunState.class));

        RunState surrogate = RunState.of(
                p,
                TrainingLoop.Tally.EMPTY,
                true,
                40,
                RunState.ONE_STEP_METRIC,
                0.01,
                null,
                Double.NaN,
                1,
                "2026-01-01T00:00:00Z",
                List.of());
        JsonNode written = Json.mapper().valueToTree(surrogate.toMap());
        assertFalse(written.has("best_val_ode_mse"), "a one-step error is not a sample error: " + written);
        assertFalse(written.has("posterior_selection_metric") || written.has("best_posterior_selection"));
        assertEquals(0.01, Json.mapper().treeToValue(written, RunState.class).best());
    }

    @Test
    void olderCheckpointsStillRead() throws Exception {
        // a surrogate's last.ckpt before best_selection: its one-step error in best_val_ode_mse, no tally
        RunState old = Json.mapper()
                .treeToValue(
                        Json.mapper()
                                .readTree("{\"method\":\"surrogate\","
                                        + "\"position\":{\"stage\":0,\"epoch\":1,\"iteration\":0,\"step\":8},\"complete\":false,"
                                        + "\"optimizer_steps\":8,\"selection_metric\":\"val_one_step_rel_l2\",\"best_val_ode_mse\":0.02,"
                                        + "\"elapsed_seconds\":3.5,\"saved\":\"x\",\"history\":[{\"loss\":1}]}"),
                        RunState.class);
        assertEquals(0.02, old.best());
        assertEquals(TrainingLoop.Tally.EMPTY, old.epochTally());
        assertEquals(Double.POSITIVE_INFINITY, old.bestPosterior());
        assertEquals(8, old.position().step());
        RunProgress resumed = RunProgress.resumed(old);
        assertEquals(0.02, resumed.best);
        assertEquals(3.5, resumed.previousSeconds);
        assertTrue(resumed.history.size() == 1);
    }
}
