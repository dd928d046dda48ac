package dev.smdp4j.cli;

import ai.djl.ndarray.NDManager;
import dev.smdp4j.Version;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.Json;
import dev.smdp4j.io.Npz;
import dev.smdp4j.pipeline.ModelSource;
import dev.smdp4j.pipeline.Reconstruction;
import dev.smdp4j.sample.Seeding;
import dev.smdp4j.util.Engines;
import dev.smdp4j.util.Interruption;
import dev.smdp4j.util.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code smdp sample}: posterior samples (or the ODE estimate) of x0 for observed end states. */
@Command(
        name = "sample",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Reconstruct initial states from observed end states by integrating backward in time "
                    + "(Algorithm 1) with a trained score network or a closed form.",
            "Input and output in physical units; output key x0, shape [n, K, N, N], plus OUT.json with the provenance."
        })
final class SampleCommand implements Callable<Integer> {

    @Mixin
    SamplingOptions options = new SamplingOptions();

    @Option(
            names = "--input",
            required = true,
            paramLabel = "FILE",
            description =
                    "Observations (.npz), [n, N, N]; "
                            + "observation i has the key NAME#i (NAME: the file's name), from which, with --seed, its noise derives.")
    Path input;

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
        ModelSource source = options.resolve();
        HostArray yPhysical = Npz.read(input, options.key);
        DatasetSpec known = source.spec();
        try (NDManager manager = Engines.newManager(known.problem().engineThreads());
                Interruption.Notice notice = Interruption.notice(
                        "nothing was written to " + out + (Files.exists(out) ? " (the existing file is untouched)" : "")
                                + "; run the same command again")) {
            ModelSource.Loaded loaded = source.load(manager);
            DatasetSpec spec = loaded.spec();
            yPhysical = loaded.requireObservations(yPhysical, input + " key '" + options.key + "'");
            Reconstruction.Request request = options.request(spec);
            long start = System.nanoTime();
            Progress progress = new Progress("sample", (long) yPhysical.dim(0) * options.samples, "samples", !quiet);
            Reconstruction.Result result = loaded.reconstruct(
                    manager,
                    yPhysical,
                    request,
                    seeding(input.getFileName().toString(), yPhysical.dim(0), options.seed),
                    true,
                    progress);
            progress.finish("");
            double seconds = (System.nanoTime() - start) / 1e9;
            HostArray x0 = result.x0();
            Npz.write(out, Map.of("x0", x0));
            writeProvenance(
                    source,
                    result,
                    spec,
                    loaded.normalisation(),
                    request.steps(),
                    seconds,
                    x0.shape(),
                    loaded.physicsChoice());
            String how = result.sampler().equals("one-shot")
                    ? result.description() + ", one network evaluation"
                    : result.sampler() + ", " + result.description() + ", " + request.steps() + " steps";
            System.out.printf(
                    "wrote %s: %d observations x %d samples (%s) in %.1f s%n", out, x0.dim(0), x0.dim(1), how, seconds);
        }
        return 0;
    }

    /** The streams of the {@code n} observations of the file named {@code name}: keys {@code name#0 ... name#(n-1)}. */
    static Seeding seeding(String name, int n, long seed) {
        String[] keys = new String[n];
        for (int i = 0; i < n; i++) {
            keys[i] = Seeding.key(name, i);
        }
        return Seeding.keyed(Seeding.observationSeeds(seed, keys));
    }

    private void writeProvenance(
            ModelSource source,
            Reconstruction.Result result,
            DatasetSpec spec,
            Normalisation norm,
            int m,
            double seconds,
            int[] shape,
            String physicsChoice) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("library", Version.label());
        p.put("commit", Version.commit());
        p.put("created", Instant.now().toString());
        p.put("model", source.model());
        if (source.sha256() != null) {
            p.put("model_sha256", source.sha256());
        }
        p.put("score", result.description());
        p.put("sampler", result.sampler());
        if (physicsChoice != null) {
            p.put("physics", physicsChoice);
        }
        p.put("steps", m);
        p.put("samples", options.samples);
        p.put("seed", options.seed);
        p.put(
                "seeding",
                "observation i of the input has the key NAME#i (NAME: the input's file name); its noise "
                        + "derives from (seed, key)");
        p.put("input", input.toString());
        p.put("key", options.key);
        p.put("shape", java.util.Arrays.stream(shape).boxed().toList());
        p.put("dataset_parameters", spec.toMap());
        p.put("normalisation", Map.of("mean", norm.mean(), "std", norm.std()));
        p.put("seconds", seconds);
        String name = out.getFileName().toString().replaceFirst("\\.npz$", "") + ".json";
        Json.write(out.resolveSibling(name), p);
    }
}
