package dev.smdp4j.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smdp4j.EngineTest;
import dev.smdp4j.data.DatasetGenerator;
import dev.smdp4j.data.HeatDataset;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.eval.Evaluation;
import dev.smdp4j.eval.Metrics;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.train.Checkpoint;
import dev.smdp4j.train.Method;
import dev.smdp4j.train.TrainableModel;
import org.junit.jupiter.api.Test;

/** The shipped SMDP model loads, reproduces the metrics recorded when it was exported, and is the one `smdp demo` uses. */
class PretrainedTest extends EngineTest {
    @Test
    void shippedModelReproducesItsRecordedTestSliceMetrics() {
        Checkpoint checkpoint = Checkpoint.read(Pretrained.checkpoint());
        JsonNode recorded = checkpoint.metadata().path("shipped").path("test_slice_metrics");
        assertTrue(recorded.path("ode_mse").isNumber(), "no recorded metrics in " + checkpoint.metadata().path("shipped"));
        TrainableModel model = TrainableModel.load(manager, checkpoint);
        assertEquals(Method.SMDP, model.method());
        HeatDataset data = DatasetGenerator.generate(manager, model.spec(), false);
        Normalisation norm = model.normalisation();
        HostArray truth = norm.normalise(data.testX0()).rows(0, 16);
        HostArray y = norm.normalise(data.testY()).rows(0, 16);
        for (String sampler : new String[] {"ode", "sde"}) {
            HostArray pred = Reconstruction.run(manager, model, y,
                    Reconstruction.Request.of(sampler, model.spec().steps(), 1, 0), null).x0();
            Evaluation e = Metrics.evaluate(truth, pred, 0, 1, model.spec().alpha(), model.spec().endTime());
            // Same seed and batch: equal up to float reordering on another CPU.
            assertEquals(recorded.path(sampler + "_mse").asDouble(), e.mse().mean(),
                    0.01 * recorded.path(sampler + "_mse").asDouble(), sampler);
            assertEquals(recorded.path(sampler + "_spectral_error").asDouble(), e.spectralError().mean(), 0.02, sampler);
        }
    }
}
