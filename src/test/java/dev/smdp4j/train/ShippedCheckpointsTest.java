package dev.smdp4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smdp4j.EngineTest;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.Json;
import dev.smdp4j.nn.NetworkConfig;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The checkpoints shipped in the jar, written by earlier versions, load through the typed readers:
 * network, training options, run state, provenance and data set, and the model with its weights.
 */
class ShippedCheckpointsTest extends EngineTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "smdp-heat-paper-ode.ckpt",
                "smdp-heat-paper-sde.ckpt",
                "smdp-toy-sde-ode.ckpt",
                "smdp-toy-sde-sde.ckpt",
                "smdp-navier-stokes-2d-ode.ckpt",
                "smdp-navier-stokes-2d-sde.ckpt"
            })
    void loadsThroughTheTypedReaders(String name) {
        Checkpoint checkpoint = Checkpoint.read(Path.of("src/main/resources/models", name));
        JsonNode meta = checkpoint.metadata();
        NetworkConfig network = NetworkConfig.read(meta.path("network"));
        TrainingOptions options = TrainingOptions.read(meta.path("training"), network, 0);
        assertEquals(Method.SMDP, options.method());
        // what the typed form writes back agrees with every field the file holds
        JsonNode written = Json.mapper().valueToTree(options);
        meta.path("training").fields().forEachRemaining(e -> {
            JsonNode now = written.path(e.getKey());
            boolean same = e.getValue().isNumber()
                    ? e.getValue().asDouble() == now.asDouble()
                    : e.getValue().asText("").equals(now.asText("")); // JSON null reads as ""
            assertTrue(same, e.getKey() + ": " + e.getValue() + " vs " + now);
        });
        RunState state = RunState.of(checkpoint);
        assertTrue(Double.isFinite(state.best()) && state.position().step() > 0, state.toString());
        assertTrue(
                checkpoint.provenance().library().startsWith("smdp4j "),
                checkpoint.provenance().toString());
        CheckpointMetadata typed = CheckpointMetadata.of(checkpoint);
        DatasetSpec spec = typed.spec(checkpoint.file());
        assertEquals(Method.SMDP, typed.method(checkpoint.file()));
        assertEquals(network, typed.network(checkpoint.file()));
        assertEquals(
                meta.path("dataset").path("normalisation").path("std").asDouble(),
                typed.normalisation(checkpoint.file()).std());
        assertEquals(64, typed.trainSha256().length());
        assertEquals(meta.path("training").path("score_factor").asDouble(), typed.scoreFactor());
        assertEquals(64, typed.shippedFrom().length(), "shipped models record the SHA-256 of their source");
        TrainableModel model = TrainableModel.load(manager, checkpoint);
        assertEquals(network, model.architecture());
        assertEquals(spec.problem().name(), model.spec().problem().name());
    }
}
