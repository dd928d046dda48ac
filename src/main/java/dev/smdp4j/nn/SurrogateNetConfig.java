package dev.smdp4j.nn;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.smdp4j.io.InvalidInputException;

/**
 * Architecture of {@link SurrogateNet}, the learned one-step physics {@code P_d(x)}: a learned
 * spectral generator, whose size is fixed by the grid ({@code 2 N (N/2 + 1)} parameters).
 *
 * @param maxSpan the largest span sampled in training, as a multiple of the data set's step
 *     {@code T / M} (half the training batches use the step itself, the others
 *     {@code U(0, maxSpan]})
 */
public record SurrogateNetConfig(@JsonProperty("max_span") double maxSpan) implements NetworkConfig {

    /** The default: spans up to 1.5 steps, which covers time jitter of half a step. */
    public static SurrogateNetConfig defaults() {
        return new SurrogateNetConfig(1.5);
    }

    public SurrogateNetConfig {
        if (!(maxSpan > 0) || Double.isInfinite(maxSpan)) {
            throw new InvalidInputException(
                    "invalid surrogate network: max span " + maxSpan + " (need a finite max span > 0)");
        }
    }

    /** The block; the surrogate takes the field alone ({@code inChannels} must be 1) plus the span. */
    @Override
    public SurrogateNet build(int inChannels) {
        if (inChannels != 1) {
            throw new IllegalArgumentException("the surrogate network takes one field channel, got " + inChannels);
        }
        return new SurrogateNet(this);
    }

    /**
     * A real FFT and its inverse ({@code 2.5 N^2 log2(N^2)} each, as {@link FnoConfig}) and the
     * complex product on the half spectrum; the multiplier is computed once per batch.
     */
    @Override
    public long flopsPerSample(int n, int inChannels) {
        double pixels = (double) n * n;
        return Math.round(2 * 2.5 * pixels * Math.log(pixels) / Math.log(2) + 6.0 * n * (n / 2 + 1));
    }

    @Override
    public String architecture() {
        return "surrogate-net";
    }

    @JsonCreator
    static SurrogateNetConfig fromJson(@JsonProperty("max_span") Number maxSpan) {
        return new SurrogateNetConfig(ConfigValues.number(maxSpan, "max_span"));
    }

    @Override
    public String toString() {
        return "surrogate-net: spectral generator, spans up to " + maxSpan + " x T/M";
    }
}
