package dev.smdp4j.nn;

import ai.djl.nn.Block;
import dev.smdp4j.io.InvalidInputException;
import java.util.Map;

/**
 * An architecture that can be stored in a checkpoint and rebuilt from it: the score network's
 * {@link ScoreNetConfig}, the Fourier neural operator's {@link FnoConfig}, the dropout U-Net's
 * {@link UNetConfig} and the physics surrogate's {@link SurrogateNetConfig}. {@link #toMap()} names
 * the architecture under the key {@code architecture}.
 */
public interface NetworkConfig {

    /** A JSON-friendly description with the key {@code architecture}; {@link #fromMap} inverts it. */
    Map<String, Object> toMap();

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
    default dev.smdp4j.score.NetworkOutput timeConditioned(Block block, ai.djl.training.ParameterStore store,
            double endTime, double outputScale, dev.smdp4j.physics.PhysicsModel feature, double featureSpan,
            double featureScale) {
        return new TimeConditionedNetwork(block, store, endTime, outputScale, feature, featureSpan, featureScale);
    }

    /** The architecture a checkpoint describes; an unknown or malformed description is an {@link InvalidInputException}. */
    static NetworkConfig fromMap(Map<String, ?> m) {
        Object kind = m.get("architecture");
        if (kind == null || "score-net".equals(kind)) {
            return ScoreNetConfig.fromMap(m);
        }
        if ("fno".equals(kind)) {
            return FnoConfig.fromMap(m);
        }
        if ("unet".equals(kind)) {
            return UNetConfig.fromMap(m);
        }
        if ("mlp".equals(kind)) {
            return MlpConfig.fromMap(m);
        }
        if ("surrogate-net".equals(kind)) {
            return SurrogateNetConfig.fromMap(m);
        }
        throw new InvalidInputException("unknown network architecture '" + kind
                + "'; valid: score-net, fno, unet, mlp, surrogate-net");
    }
}
