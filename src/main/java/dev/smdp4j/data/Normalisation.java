package dev.smdp4j.data;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;

/**
 * The scalar mean and standard deviation over all pixels of the training initial states (spec
 * "Normalisation"). Files hold physical units; the library works in {@code (x - mean) / std}.
 */
public record Normalisation(
        @JsonProperty(required = true) double mean,
        @JsonProperty(required = true) double std) {
    public Normalisation {
        if (!Double.isFinite(mean) || !(std > 0) || Double.isInfinite(std)) {
            throw new InvalidInputException(
                    "invalid normalisation: mean " + mean + ", std " + std + " (std must be finite and > 0)");
        }
    }

    /** Mean and population standard deviation (numpy's default, ddof = 0) over every element. */
    public static Normalisation of(HostArray fields) {
        float[] x = fields.data();
        double sum = 0;
        for (float v : x) {
            sum += v;
        }
        double mean = sum / x.length;
        double ss = 0;
        for (float v : x) {
            ss += (v - mean) * (v - mean);
        }
        return new Normalisation(mean, Math.sqrt(ss / x.length));
    }

    public HostArray normalise(HostArray physical) {
        return physical.normalised(mean, std);
    }

    public HostArray denormalise(HostArray normalised) {
        return normalised.denormalised(mean, std);
    }
}
