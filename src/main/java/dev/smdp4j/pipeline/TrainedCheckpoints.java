package dev.smdp4j.pipeline;

import ai.djl.ndarray.NDManager;
import dev.smdp4j.train.TrainingRun;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The checkpoints a reproduction's training wrote in its run directory ({@link StageCache#runDir}):
 * {@code best.ckpt}, chosen by the ODE's validation error, and {@code best-sde.ckpt}, chosen by the
 * SDE's (written only by methods that have one); and their export in the form the library ships
 * them. Shared by the heat reproduction ({@link Reproduction}) and the toy SDE's.
 */
public record TrainedCheckpoints(Path dir) {
    /** Where a reproduction writes its SMDP models as they would ship, inside its output directory. */
    public static final String SHIPPED = "shipped";

    /** {@code best.ckpt}. */
    public Path best() {
        return dir.resolve(TrainingRun.BEST);
    }

    /** {@code best-sde.ckpt}. */
    public Path bestPosterior() {
        return dir.resolve(TrainingRun.BEST_POSTERIOR);
    }

    /**
     * The checkpoint a row with {@code sampler} samples (null for one-shot models): for {@code sde} the
     * posterior one when written, else the best.
     */
    public Path forSampler(String sampler) {
        return "sde".equals(sampler) && Files.isRegularFile(bestPosterior()) ? bestPosterior() : best();
    }

    /**
     * {@code OUT/shipped/FILE}: {@code source} in the form the library ships it for {@code use} (copy
     * the file to {@code src/main/resources/models/} to ship it), {@code trainedBy} saying where it
     * came from; kept when it was already exported from the same checkpoint, else logged.
     */
    public static void ship(
            NDManager manager, StageCache cache, Path source, String file, Pretrained.Use use, String trainedBy) {
        Path target = cache.out().resolve(SHIPPED).resolve(file);
        if (Pretrained.exportUnlessCurrent(manager, source, target, use, trainedBy)) {
            cache.log("shipped form of " + source + " for " + use.sampler() + ": " + target);
        }
    }
}
