package dev.smdp4j.data;

import dev.smdp4j.io.InvalidInputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every parameter of the heat benchmark's data (docs/BENCHMARK.md); the defaults are the
 * paper's protocol. Noise levels ({@code g}, {@code observationNoise}) are in normalised units.
 *
 * @param trainSize number of training initial states (paper: 2500)
 * @param testSize number of test initial states and observations (paper: 500)
 * @param gridSize N of the N x N periodic grid on [0, 2 pi)^2 (paper: 32)
 * @param exponent power-law exponent n of the Gaussian random field prior (paper: 4)
 * @param alpha heat diffusivity (paper: 1)
 * @param endTime T (paper: 0.2)
 * @param steps M, the number of simulation steps (paper: 32)
 * @param diffusion g, the constant diffusion of the forward SDE (paper: 0.1)
 * @param observationNoise s, the standard deviation of the observation noise; the paper's text
 *     says "sigma^2 = 0.1", the reference code and the paper's numbers use s = 0.01
 * @param seed the seed every random draw derives from
 */
public record DatasetSpec(int trainSize, int testSize, int gridSize, double exponent, double alpha,
        double endTime, int steps, double diffusion, double observationNoise, long seed) {

    /** The paper's protocol. */
    public static DatasetSpec paper() {
        return new DatasetSpec(2500, 500, 32, 4, 1, 0.2, 32, 0.1, 0.01, 0);
    }

    /** Throws {@link InvalidInputException} naming the first impossible parameter. */
    public DatasetSpec validate() {
        require(trainSize >= 2, "--train must be >= 2 (the normalisation needs a spread), got " + trainSize);
        require(testSize >= 1, "--test must be >= 1, got " + testSize);
        require(gridSize >= 2 && gridSize <= 1024, "--grid N must be in [2, 1024], got " + gridSize);
        require(Double.isFinite(exponent) && exponent >= 0, "--exponent must be finite and >= 0, got " + exponent);
        require(Double.isFinite(alpha) && alpha >= 0, "--alpha must be finite and >= 0, got " + alpha);
        require(Double.isFinite(endTime) && endTime > 0, "--end-time T must be finite and > 0, got " + endTime);
        require(steps >= 1, "--steps M must be >= 1, got " + steps);
        require(Double.isFinite(diffusion) && diffusion >= 0, "--diffusion g must be finite and >= 0, got " + diffusion);
        require(Double.isFinite(observationNoise) && observationNoise >= 0,
                "--obs-noise s must be finite and >= 0, got " + observationNoise);
        long pixels = (long) (trainSize + testSize) * gridSize * gridSize;
        require(pixels <= Integer.MAX_VALUE, "data set too large: (train + test) * N^2 = " + pixels
                + " exceeds 2^31 - 1 values");
        return this;
    }

    /**
     * {@link #validate()} plus strictly positive noise levels, for data sets (generated or read):
     * the zero limits are meaningful only for the closed forms' tests, not for training or sampling.
     */
    public DatasetSpec validateForData() {
        validate();
        require(diffusion > 0, "--diffusion g must be > 0 (the reverse SDE and its score need forward noise), got "
                + diffusion);
        require(observationNoise > 0, "--obs-noise s must be > 0 (noise-free observations make the posterior a "
                + "point), got " + observationNoise);
        return this;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new InvalidInputException(message);
        }
    }

    /** The parameters as an ordered map, the form stored in dataset.json. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("train_size", trainSize);
        m.put("test_size", testSize);
        m.put("grid_size", gridSize);
        m.put("exponent", exponent);
        m.put("alpha", alpha);
        m.put("end_time", endTime);
        m.put("steps", steps);
        m.put("diffusion", diffusion);
        m.put("observation_noise", observationNoise);
        m.put("seed", seed);
        return m;
    }

    /**
     * The parameters of the physics in which {@code other} differs from this spec, as
     * "name this vs other": the grid and the diffusivity (what a physics operator depends on), and
     * unless {@code operatorOnly} also T, g and the prior's exponent (what a trained score depends on).
     */
    public List<String> physicsDifferences(DatasetSpec other, boolean operatorOnly) {
        List<String> diff = new ArrayList<>();
        if (gridSize != other.gridSize) {
            diff.add("grid N " + gridSize + " vs " + other.gridSize);
        }
        if (alpha != other.alpha) {
            diff.add("alpha " + alpha + " vs " + other.alpha);
        }
        if (!operatorOnly) {
            if (endTime != other.endTime) {
                diff.add("T " + endTime + " vs " + other.endTime);
            }
            if (diffusion != other.diffusion) {
                diff.add("g " + diffusion + " vs " + other.diffusion);
            }
            if (exponent != other.exponent) {
                diff.add("prior exponent " + exponent + " vs " + other.exponent);
            }
        }
        return diff;
    }

    /** Inverse of {@link #toMap()}; a missing or mistyped entry is an {@link InvalidInputException}. */
    public static DatasetSpec fromMap(Map<String, ?> m, String source) {
        try {
            return new DatasetSpec(intOf(m, "train_size"), intOf(m, "test_size"), intOf(m, "grid_size"),
                    dbl(m, "exponent"), dbl(m, "alpha"), dbl(m, "end_time"), intOf(m, "steps"),
                    dbl(m, "diffusion"), dbl(m, "observation_noise"), num(m, "seed").longValue());
        } catch (RuntimeException e) {
            throw new InvalidInputException(source + ": bad data set parameters: " + e.getMessage(), e);
        }
    }

    private static Number num(Map<String, ?> m, String key) {
        Object v = m.get(key);
        if (!(v instanceof Number)) {
            throw new IllegalArgumentException("missing or non-numeric '" + key + "'");
        }
        return (Number) v;
    }

    private static double dbl(Map<String, ?> m, String key) {
        return num(m, key).doubleValue();
    }

    private static int intOf(Map<String, ?> m, String key) {
        return Math.toIntExact(num(m, key).longValue());
    }
}
