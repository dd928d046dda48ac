package dev.smdp4j.data;

import static dev.smdp4j.io.InvalidInputException.require;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.Json;
import dev.smdp4j.problem.HeatProblem;
import dev.smdp4j.problem.Problem;
import dev.smdp4j.problem.Problems;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every parameter of a data set: the {@link Problem} with its own parameters, and the protocol
 * every problem shares. The defaults of the heat benchmark are the paper's protocol
 * (docs/BENCHMARK.md). Noise levels ({@code g}, {@code observationNoise}) are in normalised units.
 *
 * @param problem the physical process and its parameters (heat: grid, prior exponent, diffusivity)
 * @param trainSize number of training initial states (paper: 2500)
 * @param testSize number of test initial states and observations (paper: 500)
 * @param endTime T (paper: 0.2)
 * @param steps M, the number of simulation steps (paper: 32)
 * @param diffusion g, the constant diffusion of the forward SDE (paper: 0.1)
 * @param observationNoise s, the standard deviation of the observation noise; the paper's text
 *     says "sigma^2 = 0.1", the reference code and the paper's numbers use s = 0.01
 * @param seed the seed every random draw derives from
 */
public record DatasetSpec(
        Problem problem,
        int trainSize,
        int testSize,
        double endTime,
        int steps,
        double diffusion,
        double observationNoise,
        long seed) {

    public DatasetSpec {
        java.util.Objects.requireNonNull(problem, "problem");
    }

    /** A heat benchmark data set (the parameter order of earlier versions). */
    public static DatasetSpec heat(
            int trainSize,
            int testSize,
            int gridSize,
            double exponent,
            double alpha,
            double endTime,
            int steps,
            double diffusion,
            double observationNoise,
            long seed) {
        return new DatasetSpec(
                new HeatProblem(gridSize, exponent, alpha),
                trainSize,
                testSize,
                endTime,
                steps,
                diffusion,
                observationNoise,
                seed);
    }

    /** The paper's heat protocol. */
    public static DatasetSpec paper() {
        return heat(2500, 500, 32, 4, 1, 0.2, 32, 0.1, 0.01, 0);
    }

    /** This spec with another problem (same protocol parameters). */
    public DatasetSpec withProblem(Problem other) {
        return new DatasetSpec(other, trainSize, testSize, endTime, steps, diffusion, observationNoise, seed);
    }

    /** The heat problem of this spec; an {@link InvalidInputException} for any other problem. */
    public HeatProblem heat() {
        if (problem instanceof HeatProblem h) {
            return h;
        }
        throw new InvalidInputException(
                "this operation is specific to the heat benchmark; the data set's problem is '" + problem.name() + "'");
    }

    /** The heat benchmark's grid size N (heat only). */
    public int gridSize() {
        return heat().gridSize();
    }

    /** The heat benchmark's prior exponent (heat only). */
    public double exponent() {
        return heat().exponent();
    }

    /** The heat benchmark's diffusivity (heat only). */
    public double alpha() {
        return heat().alpha();
    }

    /** Throws {@link InvalidInputException} naming the first impossible parameter. */
    public DatasetSpec validate() {
        require(trainSize >= 2, "--train must be >= 2 (the normalisation needs a spread), got " + trainSize);
        require(testSize >= 1, "--test must be >= 1, got " + testSize);
        problem.checkParameters();
        require(Double.isFinite(endTime) && endTime > 0, "--end-time T must be finite and > 0, got " + endTime);
        require(steps >= 1, "--steps M must be >= 1, got " + steps);
        require(
                Double.isFinite(diffusion) && diffusion >= 0,
                "--diffusion g must be finite and >= 0, got " + diffusion);
        require(
                Double.isFinite(observationNoise) && observationNoise >= 0,
                "--obs-noise s must be finite and >= 0, got " + observationNoise);
        long values = (long) (trainSize + testSize) * problem.stateSize();
        require(
                values <= Integer.MAX_VALUE,
                "data set too large: (train + test) * state size = " + values + " exceeds 2^31 - 1 values");
        return this;
    }

    /**
     * {@link #validate()} plus the problem's own requirements for data sets (generated or read),
     * e.g. strictly positive noise levels for the heat benchmark: the zero limits are meaningful only
     * for the closed forms' tests, not for training or sampling.
     */
    public DatasetSpec validateForData() {
        validate();
        problem.validate(this);
        return this;
    }

    /**
     * The parameters as an ordered map, the form stored in dataset.json: the problem's name and
     * parameters ({@link Problem#parameters()}), then the shared protocol (bound by Jackson).
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("problem", problem.name());
        m.putAll(problem.parameters());
        m.putAll(Json.mapper()
                .convertValue(
                        new Protocol(trainSize, testSize, endTime, steps, diffusion, observationNoise, seed),
                        new TypeReference<Map<String, Object>>() {}));
        return m;
    }

    /**
     * The parameters of the physics in which {@code other} differs from this spec, as
     * "name this vs other": those of the problem (for the heat benchmark, unless {@code
     * operatorOnly}, only what the physics operator depends on: the grid and the diffusivity), and
     * unless {@code operatorOnly} also T and g (what a trained score depends on).
     */
    public List<String> physicsDifferences(DatasetSpec other, boolean operatorOnly) {
        List<String> diff = new ArrayList<>();
        if (problem instanceof HeatProblem h && other.problem instanceof HeatProblem o) {
            diff.addAll(h.differences(o, operatorOnly));
        } else {
            diff.addAll(problem.differences(other.problem));
        }
        if (!operatorOnly) {
            if (endTime != other.endTime) {
                diff.add("T " + endTime + " vs " + other.endTime);
            }
            if (diffusion != other.diffusion) {
                diff.add("g " + diffusion + " vs " + other.diffusion);
            }
        }
        return diff;
    }

    /**
     * Inverse of {@link #toMap()}; a missing or mistyped entry is an {@link InvalidInputException}.
     * Without a {@code problem} entry (data sets and checkpoints of earlier versions) the problem is
     * the heat benchmark.
     */
    public static DatasetSpec fromMap(Map<String, ?> m, String source) {
        try {
            Object name = m.get("problem");
            Problem problem = Problems.fromParameters(name == null ? Problems.DEFAULT : name.toString(), m);
            Protocol p = Json.bindStrict(m, Protocol.class);
            return new DatasetSpec(
                    problem,
                    p.trainSize(),
                    p.testSize(),
                    p.endTime(),
                    p.steps(),
                    p.diffusion(),
                    p.observationNoise(),
                    p.seed());
        } catch (RuntimeException e) {
            throw new InvalidInputException(source + ": bad data set parameters: " + e.getMessage(), e);
        }
    }

    /** The parameters every problem shares, in their JSON names; all required. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    private record Protocol(
            @JsonProperty(value = "train_size", required = true)
            int trainSize,

            @JsonProperty(value = "test_size", required = true)
            int testSize,

            @JsonProperty(value = "end_time", required = true)
            double endTime,

            @JsonProperty(value = "steps", required = true) int steps,

            @JsonProperty(value = "diffusion", required = true)
            double diffusion,

            @JsonProperty(value = "observation_noise", required = true)
            double observationNoise,

            @JsonProperty(value = "seed", required = true) long seed) {}
}
