package dev.smdp4j.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.smdp4j.EngineTest;
import dev.smdp4j.data.Dataset;
import dev.smdp4j.data.DatasetGenerator;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.sample.Seeding;
import dev.smdp4j.train.TrainableModel;
import dev.smdp4j.train.TrainingRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The SDE's score-scale calibration on the shipped Navier-Stokes model and four fresh observations:
 * a diverging factor is never chosen, the choice is the lowest recorded metric, the recorded metric
 * is the mean over samples of the problem's posterior metric, the written checkpoint samples exactly
 * as the source with the chosen factor, an unchanged calibration is reused, and when every candidate
 * diverges the call fails with a message.
 */
class SdeCalibrationTest extends EngineTest {
    private static Path source;
    private static TrainableModel model;
    private static HostArray x0;
    private static HostArray y;

    @BeforeAll
    static void data() {
        source = Pretrained.checkpoint("navier-stokes-2d", Pretrained.Use.ESTIMATE);
        model = TrainableModel.load(manager, Checkpoint.read(source));
        DatasetSpec spec = model.spec();
        DatasetSpec small = new DatasetSpec(
                spec.problem(), 2, 4, spec.endTime(), spec.steps(), spec.diffusion(), spec.observationNoise(), 77);
        Dataset data = DatasetGenerator.generate(manager, small, false);
        x0 = model.normalisation().normalise(data.testX0());
        y = model.normalisation().normalise(data.testY());
    }

    @Test
    void choosesTheLowestFiniteMetricAndRecordsTheFactorInTheCheckpoint(@TempDir Path out) throws Exception {
        StageCache cache = new StageCache(out, false);
        Path target = out.resolve("sde.ckpt");
        SdeCalibration.Settings settings = new SdeCalibration.Settings(List.of(0.4, 0.6, 1e30), 4, 2, 9);
        SdeCalibration.calibrate(manager, cache, List.of(source), new TrainingRun.Validation(x0, y), settings, target);

        JsonNode record = Checkpoint.read(target).metadata().path(SdeCalibration.KEY);
        JsonNode tried = record.path("tried");
        assertEquals(3, tried.size(), record.toString());
        assertTrue(tried.get(2).path("metric").isNull(), "the factor 1e30 diverges: " + tried.get(2));
        double best = Double.POSITIVE_INFINITY;
        for (JsonNode t : tried) {
            if (t.path("metric").isNumber()) {
                best = Math.min(best, t.path("metric").asDouble());
            }
        }
        assertTrue(Double.isFinite(best), "some candidate stays finite: " + tried);
        assertEquals(best, record.path("metric").asDouble(), 0.0);
        double factor = record.path("score_factor").asDouble();
        assertTrue(factor == 0.4 || factor == 0.6, record.toString());
        assertEquals(best, tried.get(factor == 0.4 ? 0 : 1).path("metric").asDouble(), 0.0);

        // the recorded metric: the problem's posterior metric of each sample, averaged
        DatasetSpec spec = model.spec();
        Reconstruction.Request request =
                Reconstruction.Request.of("sde", spec.steps(), 2, 9).withScoreFactor(factor);
        HostArray direct = Reconstruction.run(manager, model, y, request, Seeding.global(9), true, null)
                .x0();
        String metric = spec.problem().posteriorMetric();
        double mean =
                (spec.problem().metrics(x0, direct.sliceSecondAxis(0), spec).get(metric)
                                + spec.problem()
                                        .metrics(x0, direct.sliceSecondAxis(1), spec)
                                        .get(metric))
                        / 2;
        assertEquals(mean, best, 1e-12 * Math.abs(mean));

        // the written model carries the factor and samples as the source with it
        TrainableModel calibrated = TrainableModel.load(manager, Checkpoint.read(target));
        Reconstruction.Request plain = Reconstruction.Request.of("sde", spec.steps(), 2, 9);
        HostArray again = Reconstruction.run(manager, calibrated, y, plain, Seeding.global(9), true, null)
                .x0();
        assertArrayEquals(direct.data(), again.data());

        // reused while the sources and settings are unchanged
        long modified = Files.getLastModifiedTime(target).toMillis();
        SdeCalibration.calibrate(manager, cache, List.of(source), new TrainingRun.Validation(x0, y), settings, target);
        assertEquals(modified, Files.getLastModifiedTime(target).toMillis());
        cache.writeLog();
        assertTrue(Files.readString(out.resolve(StageCache.LOG)).contains("sde calibration: reused"));
    }

    @Test
    void failsWhenEveryCandidateDiverges(@TempDir Path out) {
        Path target = out.resolve("sde.ckpt");
        var e = assertThrows(
                InvalidInputException.class,
                () -> SdeCalibration.calibrate(
                        manager,
                        new StageCache(out, false),
                        List.of(source),
                        new TrainingRun.Validation(x0, y),
                        new SdeCalibration.Settings(List.of(1e30), 2, 1, 0),
                        target));
        assertTrue(e.getMessage().contains("every candidate diverged"), e.getMessage());
        assertFalse(Files.exists(target));
    }

    @Test
    void aSampleBlowsUpWhenNonFiniteOrItsRmsExceedsTenTimesTheData() {
        HostArray truth = new HostArray(new float[] {1, -1, 1, -1, 2, -2, 2, -2}, 2, 4); // mean square 2.5
        float rms = (float) Math.sqrt(2.5);
        assertFalse(SdeCalibration.blowsUp(truth, samples(9.9f * rms, false)));
        assertTrue(SdeCalibration.blowsUp(truth, samples(10.1f * rms, false)));
        assertTrue(SdeCalibration.blowsUp(truth, samples(1, true)));
    }

    /** {@code [2, 2, 4]}: ones, except the last sample of the last observation, all {@code last}; one NaN if asked. */
    private static HostArray samples(float last, boolean withNan) {
        float[] d = new float[16];
        java.util.Arrays.fill(d, 1);
        java.util.Arrays.fill(d, 12, 16, last);
        if (withNan) {
            d[5] = Float.NaN;
        }
        return new HostArray(d, 2, 2, 4);
    }

    @Test
    void rejectsImpossibleSettings() {
        assertThrows(InvalidInputException.class, () -> new SdeCalibration.Settings(List.of(), 1, 1, 0));
        assertThrows(InvalidInputException.class, () -> new SdeCalibration.Settings(List.of(-1.0), 1, 1, 0));
        assertThrows(InvalidInputException.class, () -> new SdeCalibration.Settings(List.of(0.5), 0, 1, 0));
    }
}
