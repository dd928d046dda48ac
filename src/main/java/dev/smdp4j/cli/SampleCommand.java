package dev.smdp4j.cli;

import ai.djl.ndarray.NDManager;
import dev.smdp4j.Version;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.DatasetStore;
import dev.smdp4j.data.FieldChecks;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.problem.Problems;
import dev.smdp4j.io.Json;
import dev.smdp4j.io.Npz;
import dev.smdp4j.pipeline.Pretrained;
import dev.smdp4j.pipeline.Reconstruction;
import dev.smdp4j.sample.Samplers;
import dev.smdp4j.train.Checkpoint;
import dev.smdp4j.train.Method;
import dev.smdp4j.train.SmdpModel;
import dev.smdp4j.train.TrainableModel;
import dev.smdp4j.util.Engines;
import dev.smdp4j.util.Interruption;
import dev.smdp4j.util.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code smdp sample}: posterior samples (or the ODE estimate) of x0 for observed end states. */
@Command(name = "sample", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Reconstruct initial states from observed end states by integrating backward in time "
                + "(Algorithm 1) with a trained score network or a closed form.",
                "Input and output in physical units; output key x0, shape [n, K, N, N], plus OUT.json with the provenance."})
final class SampleCommand implements Callable<Integer> {

    @Option(names = "--model", paramLabel = "CKPT|NAME", description = "A checkpoint from 'smdp train' "
            + "(SMDP, HeatGen or a one-shot baseline; default: the shipped SMDP model for the sampler: sde and pc "
            + "get the one selected by SDE spectral error, the others the one selected by ODE MSE), or a closed form: exact-score (score of the discrete forward process), exact-net (the training "
            + "objective's optimum), exact-posterior (samples of p(x0|y)), exact-posterior-mean.")
    String model;

    @Option(names = "--physics", paramLabel = "spectral|surrogate:CKPT", description = "SMDP checkpoints: the physics "
            + "of the reverse step and of the network's physics input (default: the one the model was trained with).")
    String physics;

    @Option(names = "--input", required = true, paramLabel = "FILE", description = "Observations (.npz), [n, N, N].")
    Path input;

    @Option(names = "--key", description = "Key of the observations in --input (default: ${DEFAULT-VALUE}).")
    String key = "y";

    @Option(names = "--data", paramLabel = "DIR", description = "Data set whose parameters and normalisation to use "
            + "(required for closed forms; checked against a checkpoint's).")
    Path data;

    @Option(names = "--sampler", description = "ode, sde, pf-ode, ode-heun or pc (default: sde). For HeatGen, ode = "
            + "HeatGen and sde = HeatGen+noise; one-shot baselines take no sampler.")
    String sampler;

    @Option(names = "--steps", description = "Time steps (default: the data set's M).")
    Integer steps;

    @Option(names = "--samples", paramLabel = "K", description = "Samples per observation (default: ${DEFAULT-VALUE}).")
    int samples = 1;

    @Option(names = "--seed", description = "Seed of the sampling noise (default: ${DEFAULT-VALUE}).")
    long seed = 0;

    @Option(names = "--score-factor", description = "Override the checkpoint's score = factor x network output.")
    Double scoreFactor;

    @Option(names = "--corrector-steps", description = "Langevin corrector steps of the pc sampler (default: ${DEFAULT-VALUE}).")
    int correctorSteps = 1;

    @Option(names = "--snr", description = "Signal-to-noise ratio of the pc corrector (default: ${DEFAULT-VALUE}).")
    double snr = 0.16;

    @Option(names = "--batch", description = "Items per engine batch (default: ${DEFAULT-VALUE}).")
    int batch = 32;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output .npz.")
    Path out;

    @Option(names = "--force", description = "Overwrite an existing --out.")
    boolean force;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    /** Refuses to overwrite an existing output unless {@code --force}: earlier results are never lost. */
    static void refuseExisting(Path out, boolean force) {
        if (Files.exists(out) && !force) {
            throw new InvalidInputException(out + " exists; choose another --out or add --force");
        }
    }

    @Override
    public Integer call() {
        refuseExisting(out, force);
        if (sampler != null) {
            Samplers.create(sampler, correctorSteps, snr); // an unknown name fails before any work
        }
        if (model == null) {
            // the shipped model selected for this sampler (default sampler: sde)
            model = Pretrained.checkpoint(Pretrained.Use.forSampler(sampler != null ? sampler : "sde")).toString();
        }
        boolean closedForm = !Files.isRegularFile(Path.of(model)) && Problems.closedFormNames().contains(model);
        if (closedForm && data == null) {
            throw new InvalidInputException("--model " + model + " is a closed form: give --data DIR for its parameters");
        }
        Path checkpointPath = closedForm ? null : Path.of(model);
        if (!closedForm && !Files.isRegularFile(checkpointPath)) {
            throw new InvalidInputException("--model: no such checkpoint file " + model + " (or closed form; valid: "
                    + String.join(", ", Problems.closedFormNames()) + ")");
        }
        HostArray yPhysical = Npz.read(input, key);
        Checkpoint checkpoint = closedForm ? null : Checkpoint.read(checkpointPath);
        DatasetSpec known = checkpoint != null ? Checkpoint.datasetSpec(checkpoint)
                : data != null ? DatasetStore.open(data).spec() : null;
        try (NDManager manager = Engines.newManager(known != null ? known.problem().engineThreads() : 0);
                Interruption.Notice notice = Interruption.notice("nothing was written to " + out + (Files.exists(out)
                        ? " (the existing file is untouched)" : "") + "; run the same command again")) {
            if (closedForm && physics != null) {
                throw new InvalidInputException("--physics applies to SMDP checkpoints, not the closed form " + model);
            }
            TrainableModel loaded = closedForm ? null
                    : TrainableModel.load(manager, checkpoint, physics);
            DatasetSpec spec;
            Normalisation norm;
            if (loaded != null) {
                spec = loaded.spec();
                norm = loaded.normalisation();
                if (data != null) {
                    requireCompatible(DatasetStore.open(data), spec);
                }
            } else {
                DatasetStore store = DatasetStore.open(data);
                spec = store.spec();
                norm = store.normalisation();
            }
            yPhysical = FieldChecks.requireStates(yPhysical, input + " key '" + key + "'", -1,
                    spec.problem().stateShape());
            Reconstruction.Request request = new Reconstruction.Request(sampler, steps != null ? steps : spec.steps(),
                    samples, seed, batch, correctorSteps, snr, scoreFactor);
            HostArray y = norm.normalise(yPhysical);
            long start = System.nanoTime();
            Progress progress = new Progress("sample", (long) y.dim(0) * samples, "samples", !quiet);
            Reconstruction.Result result = loaded != null
                    ? Reconstruction.run(manager, loaded, y, request, progress)
                    : Reconstruction.closedForm(manager, model, spec, norm, y, request, progress);
            progress.finish("");
            double seconds = (System.nanoTime() - start) / 1e9;
            HostArray x0 = result.x0();
            Npz.write(out, Map.of("x0", norm.denormalise(x0)));
            writeProvenance(result, spec, norm, request.steps(), seconds, x0.shape(),
                    loaded instanceof SmdpModel smdp && smdp.method() == Method.SMDP ? smdp.physicsChoice() : null);
            String how = result.sampler().equals("one-shot") ? result.description() + ", one network evaluation"
                    : result.sampler() + ", " + result.description() + ", " + request.steps() + " steps";
            System.out.printf("wrote %s: %d observations x %d samples (%s) in %.1f s%n", out, x0.dim(0), x0.dim(1), how,
                    seconds);
        }
        return 0;
    }

    /** The checkpoint's physics and normalisation must be the data set's: say which differ. */
    private static void requireCompatible(DatasetStore store, DatasetSpec trained) {
        List<String> diff = trained.physicsDifferences(store.spec(), false);
        if (!diff.isEmpty()) {
            throw new InvalidInputException("the model was trained for other physics than " + store.dir() + ": "
                    + String.join(", ", diff) + " (model vs data)");
        }
    }

    private void writeProvenance(Reconstruction.Result result, DatasetSpec spec, Normalisation norm, int m,
            double seconds, int[] shape, String physicsChoice) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("library", Version.label());
        p.put("commit", Version.commit());
        p.put("created", Instant.now().toString());
        p.put("model", model);
        p.put("score", result.description());
        p.put("sampler", result.sampler());
        if (physicsChoice != null) {
            p.put("physics", physicsChoice);
        }
        p.put("steps", m);
        p.put("samples", samples);
        p.put("seed", seed);
        p.put("input", input.toString());
        p.put("key", key);
        p.put("shape", java.util.Arrays.stream(shape).boxed().toList());
        p.put("dataset_parameters", spec.toMap());
        p.put("normalisation", Map.of("mean", norm.mean(), "std", norm.std()));
        p.put("seconds", seconds);
        String name = out.getFileName().toString().replaceFirst("\\.npz$", "") + ".json";
        Json.write(out.resolveSibling(name), p);
    }
}
