package dev.smdp4j.cli;

import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.pipeline.ModelSource;
import dev.smdp4j.pipeline.Reconstruction;
import dev.smdp4j.sample.Samplers;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The model and sampler options shared by {@code smdp sample} and {@code smdp sample-batch}: the
 * same choices, the same defaults, resolved by the same code.
 */
final class SamplingOptions {

    @Option(
            names = "--model",
            paramLabel = "CKPT|NAME",
            description = "A checkpoint from 'smdp train' "
                    + "(SMDP, HeatGen or a one-shot baseline; default: the shipped SMDP model for the sampler: sde and pc "
                    + "get the one selected by SDE spectral error, the others the one selected by ODE MSE), or a closed form: exact-score (score of the discrete forward process), exact-net (the training "
                    + "objective's optimum), exact-posterior (samples of p(x0|y)), exact-posterior-mean.")
    String model;

    @Option(
            names = "--physics",
            paramLabel = "spectral|surrogate:CKPT",
            description =
                    "SMDP checkpoints: the physics "
                            + "of the reverse step and of the network's physics input (default: the one the model was trained with).")
    String physics;

    @Option(names = "--key", description = "Key of the observations in the input (default: ${DEFAULT-VALUE}).")
    String key = "y";

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description = "Data set whose parameters and normalisation to use "
                    + "(required for closed forms; checked against a checkpoint's).")
    Path data;

    @Option(
            names = "--sampler",
            completionCandidates = Samplers.Names.class,
            description = "${COMPLETION-CANDIDATES} "
                    + "(default: sde). For HeatGen, ode = "
                    + "HeatGen and sde = HeatGen+noise; one-shot baselines take no sampler.")
    String sampler;

    @Option(names = "--steps", description = "Time steps (default: the data set's M).")
    Integer steps;

    @Option(names = "--samples", paramLabel = "K", description = "Samples per observation (default: ${DEFAULT-VALUE}).")
    int samples = 1;

    @Option(
            names = "--seed",
            description = "Seed of the sampling noise (default: ${DEFAULT-VALUE}); each observation's "
                    + "noise derives from it and the observation's key, FILE#INDEX.")
    long seed = 0;

    @Option(names = "--score-factor", description = "Override the checkpoint's score = factor x network output.")
    Double scoreFactor;

    @Option(
            names = "--corrector-steps",
            description = "Langevin corrector steps of the pc sampler (default: ${DEFAULT-VALUE}).")
    int correctorSteps = Samplers.DEFAULT_CORRECTOR_STEPS;

    @Option(names = "--snr", description = "Signal-to-noise ratio of the pc corrector (default: ${DEFAULT-VALUE}).")
    double snr = Samplers.DEFAULT_SNR;

    @Option(names = "--batch", description = "Items per engine batch (default: ${DEFAULT-VALUE}).")
    int batch = 32;

    /** Checks the cheap options (an unknown sampler fails before any work) and resolves the model. */
    ModelSource resolve() {
        if (sampler != null) {
            Samplers.create(sampler, correctorSteps, snr);
        }
        if (batch < 1) {
            throw new dev.smdp4j.io.InvalidInputException("--batch must be >= 1, got " + batch);
        }
        return ModelSource.resolve(model, data, physics, sampler);
    }

    /** The request for a model of data set {@code spec}. */
    Reconstruction.Request request(DatasetSpec spec) {
        return new Reconstruction.Request(
                sampler, steps != null ? steps : spec.steps(), samples, seed, batch, correctorSteps, snr, scoreFactor);
    }
}
