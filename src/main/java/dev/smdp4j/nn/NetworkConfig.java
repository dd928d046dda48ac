package dev.smdp4j.nn;

import ai.djl.nn.Block;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.Json;
import java.util.Map;

/**
 * An architecture that can be stored in a checkpoint and rebuilt from it: the score network's
 * {@link ScoreNetConfig}, the Fourier neural operator's {@link FnoConfig}, the dropout U-Net's
 * {@link UNetConfig}, the toy's {@link MlpConfig} and the physics surrogate's
 * {@link SurrogateNetConfig}. Bound by Jackson: the JSON form names the architecture under the key
 * {@code architecture}, followed by the configuration's fields; {@link #read} reads it back.
 */
// An existing property, not an added type id: written also where the declared type is Object (a map's value).
@JsonTypeInfo(
        use = JsonTypeInfo.Id.NAME,
        include = JsonTypeInfo.As.EXISTING_PROPERTY,
        property = NetworkConfig.ARCHITECTURE)
@JsonSubTypes({
    @JsonSubTypes.Type(value = ScoreNetConfig.class, name = "score-net"),
    @JsonSubTypes.Type(value = FnoConfig.class, name = "fno"),
    @JsonSubTypes.Type(value = UNetConfig.class, name = "unet"),
    @JsonSubTypes.Type(value = MlpConfig.class, name = "mlp"),
    @JsonSubTypes.Type(value = SurrogateNetConfig.class, name = "surrogate-net")
})
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({NetworkConfig.ARCHITECTURE})
public interface NetworkConfig {
    /** The key of the architecture's name in the JSON form. */
    String ARCHITECTURE = "architecture";

    /** The JSON form as a map: {@code architecture} and the fields. */
    default Map<String, Object> toMap() {
        return Json.mapper().convertValue(this, new TypeReference<Map<String, Object>>() {});
    }

    /** The name of the architecture, the JSON form's {@code architecture} (one of {@link JsonSubTypes} above). */
    @JsonProperty(ARCHITECTURE)
    String architecture();

    /** Floating-point operations of one forward evaluation on one {@code n x n} field. */
    long flopsPerSample(int n, int inChannels);

    /** A new, uninitialised block of this architecture with {@code inChannels} input channels and one output channel. */
    Block build(int inChannels);

    /** The shape the block is initialised with: one batch of {@code inChannels} channels of a state. */
    default ai.djl.ndarray.types.Shape inputShape(int inChannels, int[] stateShape) {
        long[] dims = new long[stateShape.length + 2];
        dims[0] = 1;
        dims[1] = inChannels;
        for (int i = 0; i < stateShape.length; i++) {
            dims[i + 2] = stateShape[i];
        }
        return new ai.djl.ndarray.types.Shape(dims);
    }

    /**
     * The score network of this architecture on a block: by default {@link TimeConditionedNetwork},
     * which stacks the field, the time {@code t/T} and, if {@code feature} is not null, the physics
     * feature {@code featureScale * P_featureSpan(x)} as channels.
     */
    default dev.smdp4j.score.NetworkOutput timeConditioned(
            Block block,
            ai.djl.training.ParameterStore store,
            double endTime,
            double outputScale,
            dev.smdp4j.physics.PhysicsModel feature,
            double featureSpan,
            double featureScale) {
        return new TimeConditionedNetwork(block, store, endTime, outputScale, feature, featureSpan, featureScale);
    }

    /**
     * The architecture a JSON form describes. Without {@code architecture} (checkpoints from before
     * the other architectures) it is the score network; a field a configuration lacks takes that
     * configuration's old default. An unknown or malformed description is an
     * {@link InvalidInputException} naming the problem.
     */
    static NetworkConfig read(JsonNode form) {
        return ConfigValues.read(form);
    }

    /** {@link #read} of a map (as parsed from JSON, or {@link #toMap}). */
    static NetworkConfig fromMap(Map<String, ?> form) {
        return read(form == null ? null : Json.mapper().valueToTree(form));
    }
}
