package dev.smdp4j.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smdp4j.EngineTest;
import dev.smdp4j.train.Checkpoint;
import dev.smdp4j.train.Method;
import dev.smdp4j.train.ParameterIO;
import dev.smdp4j.train.TrainableModel;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The shipped SMDP models load, hold weights only, come from {@code smdp reproduce}, and reproduce
 * the metrics recorded when they were exported (on a slice of the regenerated test set).
 */
class PretrainedTest extends EngineTest {
    @ParameterizedTest
    @EnumSource(Pretrained.Use.class)
    void shippedModelReproducesItsRecordedTestSliceMetrics(Pretrained.Use use) {
        Checkpoint checkpoint = Checkpoint.read(Pretrained.checkpoint(use));
        JsonNode provenance = checkpoint.metadata().path(Pretrained.PROVENANCE);
        assertEquals(use.sampler(), provenance.path("use").asText());
        assertTrue(provenance.path("trained_by").asText().startsWith("smdp reproduce --profile paper"),
                provenance.path("trained_by").asText());
        for (String key : checkpoint.tensors().keySet()) {
            assertTrue(key.startsWith(ParameterIO.PREFIX), "not a weight: " + key);
        }
        JsonNode recorded = provenance.path("test_slice_metrics");
        // what each model is for, it does well (the paper: ODE MSE 0.74e-5, SDE spectral error 0.56)
        if (use == Pretrained.Use.ESTIMATE) {
            assertTrue(recorded.path("ode_mse").asDouble() < 1.5e-5, recorded.toString());
        } else {
            assertTrue(recorded.path("sde_spectral_error").asDouble() < 0.8, recorded.toString());
        }
        TrainableModel model = TrainableModel.load(manager, checkpoint);
        assertEquals(Method.SMDP, model.method());
        Map<String, Object> measured = Pretrained.sliceMetrics(manager, model);
        for (String sampler : new String[] {"ode", "sde"}) {
            double mse = recorded.path(sampler + "_mse").asDouble(Double.NaN);
            assertTrue(mse > 0, "no recorded " + sampler + " MSE in " + provenance);
            // Same seed and batch: equal up to float reordering on another CPU.
            assertEquals(mse, (double) measured.get(sampler + "_mse"), 0.01 * mse, sampler);
            assertEquals(recorded.path(sampler + "_spectral_error").asDouble(),
                    (double) measured.get(sampler + "_spectral_error"), 0.02, sampler);
        }
    }
}
