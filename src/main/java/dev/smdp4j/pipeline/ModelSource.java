package dev.smdp4j.pipeline;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.DatasetStore;
import dev.smdp4j.data.FieldChecks;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.Json;
import dev.smdp4j.problem.Problems;
import dev.smdp4j.sample.Seeding;
import dev.smdp4j.train.CheckpointMetadata;
import dev.smdp4j.train.Method;
import dev.smdp4j.train.SmdpModel;
import dev.smdp4j.train.TrainableModel;
import dev.smdp4j.util.Hashing;
import dev.smdp4j.util.Progress;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code --model} (with {@code --data} and {@code --physics}) names, resolved once and
 * carried as bytes: a checkpoint's content or a closed form with its data set's parameters. It is
 * {@link Serializable}, so a Spark job ships it to its executors, which {@link #load} it without
 * the files; {@code smdp sample} loads the same way, so both reconstruct through the same code.
 * Reading the files here starts no engine.
 */
public final class ModelSource implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final String SURROGATE = "surrogate:";

    private final String model;
    private final String closedForm;
    private final byte[] checkpoint;
    private final String sha256;
    private final String physics;
    private final byte[] surrogate;
    private final String closedFormData;
    private transient Path checkpointFile;
    private transient Path surrogateFile;

    private ModelSource(
            String model,
            String closedForm,
            byte[] checkpoint,
            Path checkpointFile,
            String physics,
            byte[] surrogate,
            Path surrogateFile,
            String closedFormData) {
        this.model = model;
        this.closedForm = closedForm;
        this.checkpoint = checkpoint;
        this.checkpointFile = checkpointFile;
        this.sha256 = checkpoint != null ? Hashing.sha256Hex(checkpoint) : null;
        this.physics = physics;
        this.surrogate = surrogate;
        this.surrogateFile = surrogateFile;
        this.closedFormData = closedFormData;
    }

    /**
     * Resolves the model options of {@code smdp sample}: {@code model} null gives the shipped model
     * for {@code sampler} (null: {@code sde}); a name of a closed form needs {@code data}; a
     * checkpoint given with {@code data} must have been trained for the data set's physics.
     *
     * @throws InvalidInputException for a missing or invalid file, or an impossible combination
     */
    public static ModelSource resolve(String model, Path data, String physics, String sampler) {
        if (model == null) {
            model = Pretrained.checkpoint(Pretrained.Use.forSampler(sampler != null ? sampler : "sde"))
                    .toString();
        }
        boolean closed = !Files.isRegularFile(Path.of(model))
                && Problems.closedFormNames().contains(model);
        if (closed) {
            if (data == null) {
                throw new InvalidInputException(
                        "--model " + model + " is a closed form: give --data DIR for its parameters");
            }
            if (physics != null) {
                throw new InvalidInputException("--physics applies to SMDP checkpoints, not the closed form " + model);
            }
            DatasetStore store = DatasetStore.open(data);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("parameters", store.spec().toMap());
            m.put("mean", store.normalisation().mean());
            m.put("std", store.normalisation().std());
            try {
                return new ModelSource(
                        model,
                        model,
                        null,
                        null,
                        null,
                        null,
                        null,
                        Json.mapper().writeValueAsString(m));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        Path file = Path.of(model);
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException("--model: no such checkpoint file " + model + " (or closed form; valid: "
                    + String.join(", ", Problems.closedFormNames()) + ")");
        }
        Checkpoint read = Checkpoint.read(file); // validates the whole file before any work
        if (data != null) {
            DatasetStore store = DatasetStore.open(data);
            List<String> diff = CheckpointMetadata.of(read).spec(read.file()).physicsDifferences(store.spec(), false);
            if (!diff.isEmpty()) {
                throw new InvalidInputException("the model was trained for other physics than " + store.dir() + ": "
                        + String.join(", ", diff) + " (model vs data)");
            }
        }
        byte[] surrogateBytes = null;
        Path surrogatePath = null;
        if (physics != null && physics.startsWith(SURROGATE)) {
            surrogatePath = Path.of(physics.substring(SURROGATE.length()));
            surrogateBytes = bytes(surrogatePath, "--physics " + physics);
        }
        return new ModelSource(
                model, null, bytes(file, "--model " + model), file, physics, surrogateBytes, surrogatePath, null);
    }

    private static byte[] bytes(Path file, String what) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new InvalidInputException(what + ": cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** {@code --model} as given (or the shipped model's temporary file). */
    public String model() {
        return model;
    }

    /** The closed form's name, or null for a checkpoint. */
    public String closedForm() {
        return closedForm;
    }

    /** The SHA-256 of the checkpoint's bytes, or null for a closed form. */
    public String sha256() {
        return sha256;
    }

    /** Identifies what {@link #load} gives: equal for sources that load the same model. */
    public String identity() {
        return closedForm != null
                ? "closed-form:" + closedForm + ":"
                        + dev.smdp4j.util.Hashing.sha256Hex(
                                closedFormData.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                : sha256 + ":" + physics + ":" + (surrogate != null ? Hashing.sha256Hex(surrogate) : "");
    }

    /** The {@code --physics} option as given, or null. */
    public String physics() {
        return physics;
    }

    /** The data set parameters without an engine: the checkpoint's, or the closed form's data set's. */
    public DatasetSpec spec() {
        if (closedForm != null) {
            return closedFormSpec();
        }
        Checkpoint read = checkpoint();
        return CheckpointMetadata.of(read).spec(read.file());
    }

    private DatasetSpec closedFormSpec() {
        @SuppressWarnings("unchecked")
        Map<String, Object> m = Json.mapper().convertValue(closedFormJson().path("parameters"), Map.class);
        return DatasetSpec.fromMap(m, "the data set of --model " + closedForm);
    }

    private com.fasterxml.jackson.databind.JsonNode closedFormJson() {
        try {
            return Json.mapper().readTree(closedFormData);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private synchronized Checkpoint checkpoint() {
        if (checkpointFile == null || !Files.isRegularFile(checkpointFile)) {
            checkpointFile = materialise(checkpoint, "smdp-model-");
        }
        return Checkpoint.read(checkpointFile);
    }

    private static Path materialise(byte[] content, String prefix) {
        try {
            Path file = Files.createTempFile(prefix, ".ckpt");
            file.toFile().deleteOnExit();
            Files.write(file, content);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a temporary copy of the model: " + e.getMessage(), e);
        }
    }

    /**
     * Loads the model into {@code manager} (arrays live there until it closes), with gradient
     * recording off on the calling thread ({@link dev.smdp4j.util.Engines#noGradOnThisThread()}).
     */
    public Loaded load(NDManager manager) {
        dev.smdp4j.util.Engines.noGradOnThisThread();
        if (closedForm != null) {
            com.fasterxml.jackson.databind.JsonNode m = closedFormJson();
            return new Loaded(
                    this,
                    null,
                    closedFormSpec(),
                    new Normalisation(m.get("mean").asDouble(), m.get("std").asDouble()));
        }
        String physicsChoice = physics;
        if (surrogate != null) {
            synchronized (this) {
                if (surrogateFile == null || !Files.isRegularFile(surrogateFile)) {
                    surrogateFile = materialise(surrogate, "smdp-surrogate-");
                }
            }
            physicsChoice = SURROGATE + surrogateFile;
        }
        TrainableModel loaded = TrainableModel.load(manager, checkpoint(), physicsChoice);
        return new Loaded(this, loaded, loaded.spec(), loaded.normalisation());
    }

    /** A loaded model (or closed form), ready to reconstruct. */
    public static final class Loaded {
        private final ModelSource source;
        private final TrainableModel model;
        private final DatasetSpec spec;
        private final Normalisation normalisation;

        Loaded(ModelSource source, TrainableModel model, DatasetSpec spec, Normalisation normalisation) {
            this.source = source;
            this.model = model;
            this.spec = spec;
            this.normalisation = normalisation;
        }

        public DatasetSpec spec() {
            return spec;
        }

        public Normalisation normalisation() {
            return normalisation;
        }

        /** The model, or null for a closed form. */
        public TrainableModel model() {
            return model;
        }

        /** The physics an SMDP model integrates with (for provenance), or null. */
        public String physicsChoice() {
            return model instanceof SmdpModel smdp && smdp.method() == Method.SMDP ? smdp.physicsChoice() : null;
        }

        /**
         * Checks observations in physical units ({@code [n, ...state]}, finite) and returns them
         * in that shape; {@code what} names them in messages.
         */
        public HostArray requireObservations(HostArray yPhysical, String what) {
            return FieldChecks.requireStates(yPhysical, what, -1, spec.problem().stateShape());
        }

        /**
         * Reconstructs checked observations {@code yPhysical} ({@link #requireObservations}):
         * {@code x0 [n, K, ...state]} in physical units.
         */
        public Reconstruction.Result reconstruct(
                NDManager manager,
                HostArray yPhysical,
                Reconstruction.Request request,
                Seeding seeding,
                boolean stopOnNonFinite,
                Progress progress) {
            HostArray y = normalisation.normalise(yPhysical);
            Reconstruction.Result r = model != null
                    ? Reconstruction.run(manager, model, y, request, seeding, stopOnNonFinite, progress)
                    : Reconstruction.closedForm(
                            manager,
                            source.closedForm,
                            spec,
                            normalisation,
                            y,
                            request,
                            seeding,
                            stopOnNonFinite,
                            progress);
            return new Reconstruction.Result(normalisation.denormalise(r.x0()), r.description(), r.sampler());
        }
    }
}
