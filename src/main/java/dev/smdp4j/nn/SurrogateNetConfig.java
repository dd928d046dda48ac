package dev.smdp4j.nn;

import dev.smdp4j.io.InvalidInputException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Architecture of {@link SurrogateNet}, the learned one-step physics {@code P_d(x)}.
 *
 * @param filters periodic whole-grid convolutions (per-mode weights) mixed by the span network
 * @param hidden units of the span network's hidden layer
 * @param maxSpan largest span the network is trained for, as a multiple of the data set's step
 *     {@code T / M}; longer spans are taken as equal sub-steps
 */
public record SurrogateNetConfig(int filters, int hidden, double maxSpan) implements NetworkConfig {

    /** The default size, chosen by measurement (docs/RESULTS.md, "Learned physics"). */
    public static SurrogateNetConfig defaults() {
        return new SurrogateNetConfig(8, 32, 1.5);
    }

    public SurrogateNetConfig {
        if (filters < 1 || hidden < 1 || !(maxSpan > 0) || Double.isInfinite(maxSpan)) {
            throw new InvalidInputException("invalid surrogate network: filters " + filters + ", hidden " + hidden
                    + ", max span " + maxSpan + " (need filters, hidden >= 1 and a finite max span > 0)");
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
     * One real FFT and its inverse ({@code 2.5 N^2 log2(N^2)} each, as {@link FnoConfig}) and the
     * complex product on the half spectrum; the mixing of the bank is per batch, not per field.
     */
    @Override
    public long flopsPerSample(int n, int inChannels) {
        double pixels = (double) n * n;
        return Math.round(2 * 2.5 * pixels * Math.log(pixels) / Math.log(2) + 6.0 * n * (n / 2 + 1));
    }

    @Override
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architecture", "surrogate-net");
        m.put("filters", filters);
        m.put("hidden", hidden);
        m.put("max_span", maxSpan);
        return m;
    }

    public static SurrogateNetConfig fromMap(Map<String, ?> m) {
        try {
            if (!(m.get("max_span") instanceof Number span)) {
                throw new IllegalArgumentException("'max_span' must be a number, got " + m.get("max_span"));
            }
            return new SurrogateNetConfig(ConfigMaps.integer(m, "filters"), ConfigMaps.integer(m, "hidden"), span.doubleValue());
        } catch (InvalidInputException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new InvalidInputException("bad network description " + m + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "surrogate-net: filters " + filters + ", hidden " + hidden + ", max span "
                + maxSpan + " x T/M";
    }
}
