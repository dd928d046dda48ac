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
        if ("surrogate-net".equals(kind)) {
            return SurrogateNetConfig.fromMap(m);
        }
        throw new InvalidInputException("unknown network architecture '" + kind
                + "'; valid: score-net, fno, unet, surrogate-net");
    }
}
