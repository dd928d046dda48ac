package dev.smdp4j.pipeline;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.smdp4j.data.Dataset;
import dev.smdp4j.data.DatasetGenerator;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.AtomicFiles;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.Json;
import dev.smdp4j.io.ParameterIO;
import dev.smdp4j.io.Provenance;
import dev.smdp4j.sample.Seeding;
import dev.smdp4j.train.CheckpointMetadata;
import dev.smdp4j.train.TrainableModel;
import dev.smdp4j.util.Hashing;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SMDP models shipped with the library, trained by {@code smdp reproduce --profile paper}:
 * one for estimates ({@code ode}: the run's {@code best.ckpt}, chosen by validation ODE MSE) and
 * one for posterior samples ({@code sde}: its {@code best-sde.ckpt}, chosen by the SDE's spectral
 * error), because one training run's best model differs between the two (docs/HISTORY.md). Their
 * provenance and the metrics recorded on a test slice at export are in the metadata under
 * {@value #PROVENANCE}. What {@code smdp demo}, and {@code smdp sample} without {@code --model},
 * use. Other problems ship their pair under {@code /models/smdp-PROBLEM-ode.ckpt} and
 * {@code -sde.ckpt} (the toy SDE's, by {@code smdp reproduce --problem toy-sde}; {@code smdp demo
 * --problem toy-sde}).
 */
public final class Pretrained {
    /** The metadata entry with the provenance of a shipped model. */
    public static final String PROVENANCE = CheckpointMetadata.SHIPPED;
    /** Test observations of the regenerated data set whose metrics an export records. */
    public static final int SLICE = 16;

    /** What a shipped model is for, and where it lives on the classpath. */
    public enum Use {
        /** Estimates: the {@code ode} sampler and other deterministic ones. */
        ESTIMATE("ode", "/models/smdp-heat-paper-ode.ckpt"),
        /** Posterior samples: the {@code sde} and {@code pc} samplers. */
        POSTERIOR("sde", "/models/smdp-heat-paper-sde.ckpt");

        private final String sampler;
        private final String resource;

        Use(String sampler, String resource) {
            this.sampler = sampler;
            this.resource = resource;
        }

        /** The sampler the model was selected for. */
        public String sampler() {
            return sampler;
        }

        /** Its classpath location (weights only, no optimizer state): the heat benchmark's model. */
        public String resource() {
            return resource;
        }

        /**
         * The classpath location of the model of {@code problem} for this use: the heat benchmark's
         * {@link #resource()}, {@code /models/smdp-PROBLEM-SAMPLER.ckpt} for other problems.
         */
        public String resource(String problem) {
            return problem.equals(HEAT) ? resource : "/models/smdp-" + problem + "-" + sampler + ".ckpt";
        }

        /** The file name, as {@link #export} writes it and {@code src/main/resources/models/} holds it. */
        public String fileName() {
            return fileName(HEAT);
        }

        /** The file name of the model of {@code problem} for this use. */
        public String fileName(String problem) {
            String r = resource(problem);
            return r.substring(r.lastIndexOf('/') + 1);
        }

        /** The model for {@code sampler}: posterior samplers get {@link #POSTERIOR}, the others {@link #ESTIMATE}. */
        public static Use forSampler(String sampler) {
            return List.of("sde", "pc").contains(sampler) ? POSTERIOR : ESTIMATE;
        }
    }

    /** The heat benchmark's problem name, whose models keep their first file names. */
    private static final String HEAT = "heat";

    private static final Map<String, Path> CACHED = new java.util.HashMap<>();

    private Pretrained() {}

    /** The heat benchmark's shipped checkpoint for {@code use} as a file (see {@link #checkpoint(String, Use)}). */
    public static Path checkpoint(Use use) {
        return checkpoint(HEAT, use);
    }

    /**
     * The shipped checkpoint of {@code problem} for {@code use} as a file (copied once per process to
     * a temporary file deleted on exit); an {@link InvalidInputException} if none is shipped.
     */
    public static synchronized Path checkpoint(String problem, Use use) {
        String resource = use.resource(problem);
        Path cached = CACHED.get(resource);
        if (cached != null && Files.isRegularFile(cached)) {
            return cached;
        }
        try (InputStream in = Pretrained.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new InvalidInputException("no shipped model for problem '" + problem + "' (" + resource
                        + " is not on the classpath); give --model CKPT");
            }
            Path file = Files.createTempFile("smdp-pretrained-", ".ckpt");
            file.toFile().deleteOnExit();
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            CACHED.put(resource, file);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy the shipped model: " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code source} as a model to ship for {@code use}: the weights only (no optimizer or
     * averaging state), the training metadata, and under {@value #PROVENANCE} how it was trained,
     * the source file's SHA-256, its validation history, and the metrics of both samplers on the
     * first {@value #SLICE} test observations of the data set regenerated from the checkpoint's
     * parameters (what {@code PretrainedTest} checks the shipped file against).
     */
    public static void export(NDManager manager, Path source, Path target, Use use, String trainedBy) {
        Checkpoint checkpoint = Checkpoint.read(source);
        Map<String, Object> meta = Json.toMap(checkpoint.metadata());
        JsonNode history = checkpoint.metadata().path("history");
        meta.remove("history");
        meta.remove("epoch_tally");
        meta.keySet().removeAll(Checkpoint.RESERVED); // written afresh
        Map<String, Object> provenance = new LinkedHashMap<>();
        provenance.put("trained_by", trainedBy);
        Provenance trained = Provenance.of(checkpoint.metadata());
        provenance.put("trained_with", trained.library());
        provenance.put("trained_commit", trained.commit());
        provenance.put("trained_checkpoint_created", trained.created());
        provenance.put("use", use.sampler());
        provenance.put("source", source.toAbsolutePath().toString());
        provenance.put("source_sha256", Hashing.sha256(source));
        provenance.put("training_history", history);
        try (NDManager scope = manager.newSubManager()) {
            provenance.put("test_slice_metrics", sliceMetrics(scope, TrainableModel.load(scope, checkpoint)));
        }
        meta.put(PROVENANCE, provenance);
        Map<String, HostArray> weights = new LinkedHashMap<>();
        checkpoint.tensors().forEach((key, value) -> {
            if (key.startsWith(ParameterIO.PREFIX)) {
                weights.put(key, value);
            }
        });
        Checkpoint.write(target, meta, weights);
    }

    /**
     * {@link #export}s {@code source} to {@code target} unless {@code target} was already exported
     * from a file with the same content; returns whether it wrote.
     */
    public static boolean exportUnlessCurrent(NDManager manager, Path source, Path target, Use use, String trainedBy) {
        String hash = Hashing.sha256(source);
        if (Files.isRegularFile(target)
                && hash.equals(CheckpointMetadata.of(Checkpoint.read(target)).shippedFrom())) {
            return false;
        }
        AtomicFiles.createDirectories(target.toAbsolutePath().getParent());
        export(manager, source, target, use, trainedBy);
        return true;
    }

    /**
     * Both samplers' metrics on the first {@value #SLICE} test observations (or all, if fewer), seed
     * 0, one sample each: the problem's metrics, as {@code SAMPLER_METRIC} (the heat benchmark's
     * {@code spectral} recorded as {@code spectral_error}, the name the first shipped models carry).
     */
    static Map<String, Object> sliceMetrics(NDManager manager, TrainableModel model) {
        Dataset data = DatasetGenerator.generate(manager, model.spec(), false);
        Normalisation norm = model.normalisation();
        int n = Math.min(SLICE, data.testX0().dim(0));
        HostArray truth = norm.normalise(data.testX0()).rows(0, n);
        HostArray y = norm.normalise(data.testY()).rows(0, n);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put(
                "observations",
                "first " + n + " test observations of the data set regenerated from " + "dataset.parameters");
        boolean carryOn = model.spec().problem().metricsScoreDivergence(); // else a diverging path fails
        for (String sampler : new String[] {"ode", "sde"}) {
            Reconstruction.Request request =
                    Reconstruction.Request.of(sampler, model.spec().steps(), 1, 0);
            HostArray pred = Reconstruction.run(
                            manager, model, y, request, Seeding.global(request.seed()), !carryOn, null)
                    .x0();
            model.spec()
                    .problem()
                    .metrics(truth, pred.reshape(truth.shape()), model.spec())
                    .forEach((name, value) ->
                            out.put(sampler + "_" + (name.equals("spectral") ? "spectral_error" : name), value));
        }
        return out;
    }
}
