package dev.smdp4j.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smdp4j.train.TrainingRun;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which of a training's checkpoints each sampler uses. */
class TrainedCheckpointsTest {
    @Test
    void theSdeSamplerUsesThePosteriorCheckpointOnlyWhenItWasWritten(@TempDir Path dir) throws Exception {
        TrainedCheckpoints run = new TrainedCheckpoints(dir);
        assertEquals(dir.resolve(TrainingRun.BEST), run.best());
        assertEquals(dir.resolve(TrainingRun.BEST_POSTERIOR), run.bestPosterior());
        assertEquals(run.best(), run.forSampler("sde"), "no best-sde.ckpt: the best checkpoint");
        assertEquals(run.best(), run.forSampler(null), "a one-shot model has no sampler");
        Files.writeString(run.bestPosterior(), "written");
        assertEquals(run.bestPosterior(), run.forSampler("sde"));
        for (String other : new String[] {"ode", "pf-ode", "pc"}) {
            assertEquals(run.best(), run.forSampler(other), other);
        }
        assertEquals(run.best(), run.forSampler(null));
    }
}
