package dev.smdp4j.train;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.Json;
import dev.smdp4j.io.Provenance;
import dev.smdp4j.nn.NetworkConfig;
import dev.smdp4j.score.ScaledNetworkScore;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a model checkpoint's metadata says about the model, bound by Jackson: the method, the
 * network, the data set it learned from, the training options and the physics. {@link RunState}
 * holds the training's progress and {@link Provenance} the build; every field may be absent in
 * files of earlier versions, and the accessors say what that means.
 *
 * @param method the method id ({@link Method#id()})
 * @param network the architecture's JSON form ({@link NetworkConfig#read})
 * @param physics SMDP's physics: {@code spectral}, {@code surrogate} or (other methods) {@code none}
 * @param surrogate the surrogate physics file and its SHA-256, if {@code physics} is {@code surrogate}
 * @param dataset the training data set
 * @param training the training options' JSON form ({@link TrainingOptions#read})
 * @param complete whether the training schedule completed
 * @param provenance how a shipped model was made ({@code Pretrained.export}), or null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CheckpointMetadata(
        String method,
        JsonNode network,
        String physics,
        SurrogateFile surrogate,
        Dataset dataset,
        JsonNode training,
        boolean complete,
        @JsonProperty(CheckpointMetadata.SHIPPED) JsonNode provenance) {

    /** The key of a shipped model's provenance. */
    public static final String SHIPPED = "shipped";

    /** A surrogate physics checkpoint a model was trained with. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record SurrogateFile(String file, String sha256) {}

    /**
     * The training data set of a model.
     *
     * @param dir where it was read from (absolute, informative only)
     * @param parameters its parameters in the form of dataset.json ({@link DatasetSpec#toMap()})
     * @param normalisation the normalisation the model works in
     * @param trainSha256 the SHA-256 of its train.npz
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Dataset(
            String dir,
            Map<String, Object> parameters,
            Normalisation normalisation,
            @JsonProperty("train_sha256") String trainSha256) {}

    /** The metadata of {@code checkpoint}; a malformed field is an {@link InvalidInputException} naming the file. */
    public static CheckpointMetadata of(Checkpoint checkpoint) {
        try {
            return Json.mapper().treeToValue(checkpoint.metadata(), CheckpointMetadata.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            String reason =
                    e.getCause() instanceof InvalidInputException invalid ? invalid.getMessage() : e.getMessage();
            throw new InvalidInputException(checkpoint.file() + ": bad metadata: " + reason, e);
        }
    }

    /** The method; an {@link InvalidInputException} naming {@code file} if it is missing or unknown. */
    public Method method(Path file) {
        if (method == null) {
            throw new InvalidInputException(file + ": no method in the metadata");
        }
        try {
            return Method.parse(method);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(file + ": " + e.getMessage(), e);
        }
    }

    /** The network's architecture; an {@link InvalidInputException} naming {@code file} if missing or malformed. */
    public NetworkConfig network(Path file) {
        if (network == null || network.isNull()) {
            throw new InvalidInputException(file + ": no network description in the metadata");
        }
        try {
            return NetworkConfig.read(network);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(file + ": " + e.getMessage(), e);
        }
    }

    /** The data set parameters; without a {@code problem} entry (earlier versions) the heat benchmark. */
    public DatasetSpec spec(Path file) {
        if (dataset == null || dataset.parameters() == null) {
            throw new InvalidInputException(file + ": no data set parameters in the metadata");
        }
        return DatasetSpec.fromMap(dataset.parameters(), file.toString());
    }

    public Normalisation normalisation(Path file) {
        if (dataset == null || dataset.normalisation() == null) {
            throw new InvalidInputException(file + ": no normalisation in the metadata");
        }
        return dataset.normalisation();
    }

    /** The SHA-256 of the training data, or null if not recorded. */
    public String trainSha256() {
        return dataset == null ? null : dataset.trainSha256();
    }

    /** The factor of the network's score output; checkpoints from before the option: the Tweedie factor. */
    public double scoreFactor() {
        JsonNode factor = training == null ? null : training.get("score_factor");
        return factor != null && factor.isNumber() ? factor.asDouble() : ScaledNetworkScore.TWEEDIE_FACTOR;
    }

    /** The SHA-256 of the file a shipped model was exported from, or null. */
    public String shippedFrom() {
        return provenance == null ? null : provenance.path("source_sha256").textValue();
    }
}
