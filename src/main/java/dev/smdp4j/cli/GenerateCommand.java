package dev.smdp4j.cli;

import ai.djl.ndarray.NDManager;
import dev.smdp4j.data.Dataset;
import dev.smdp4j.data.DatasetGenerator;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.DatasetStore;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.problem.HeatProblem;
import dev.smdp4j.problem.Problem;
import dev.smdp4j.problem.Problems;
import dev.smdp4j.util.Engines;
import dev.smdp4j.util.Interruption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code smdp generate}: writes a data set of a problem (default: the heat benchmark). */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Generate a data set: initial states from the problem's prior, their normalisation, "
                    + "and test observations (heat: y = H_T(x0) + s e; toy-sde: noisy end states of the SDE).",
            "Writes DIR/train.npz (x0), DIR/test.npz (x0, y), DIR/dataset.json; physical units.",
            "Defaults are the problem's protocol (heat: the paper's)."
        })
final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
    Path out;

    @Option(
            names = "--problem",
            paramLabel = "NAME",
            description = "The problem: heat (default), toy-sde or navier-stokes-2d.")
    String problemName = Problems.DEFAULT;

    @Option(
            names = "--set",
            paramLabel = "KEY=VALUE",
            description =
                    "A parameter of the problem (repeatable), e.g. "
                            + "--set lambda=7 for toy-sde; heat's are grid_size, exponent, alpha (also --grid, --exponent, --alpha).")
    Map<String, Double> parameters = new LinkedHashMap<>();

    @Option(names = "--train", paramLabel = "N", description = "Training initial states (heat: 2500, toy-sde: 2500).")
    Integer train;

    @Option(
            names = "--test",
            paramLabel = "N",
            description = "Test initial states and observations (heat: 500, toy-sde: 500).")
    Integer test;

    @Option(names = "--grid", paramLabel = "N", description = "heat: grid size N of the periodic N x N grid (32).")
    Integer grid;

    @Option(names = "--exponent", description = "heat: power-law exponent n of the prior spectrum (4).")
    Double exponent;

    @Option(names = "--alpha", description = "heat: diffusivity (1).")
    Double alpha;

    @Option(names = "--end-time", paramLabel = "T", description = "End time T (heat: 0.2, toy-sde: 10).")
    Double endTime;

    @Option(names = "--steps", paramLabel = "M", description = "Simulation steps M (heat: 32, toy-sde: 499).")
    Integer steps;

    @Option(
            names = "--diffusion",
            paramLabel = "G",
            description = "Diffusion g of the forward SDE, normalised units " + "(heat: 0.1, toy-sde: 0.03).")
    Double diffusion;

    @Option(
            names = "--obs-noise",
            paramLabel = "S",
            description =
                    "Standard deviation s of the observation noise, "
                            + "normalised units (heat: 0.01, the paper's code and numbers; its text says variance 0.1; toy-sde: 0).")
    Double observationNoise;

    @Option(names = "--seed", description = "Seed of every random draw (default: 0).")
    Long seed;

    @Option(
            names = "--trajectories",
            description = "Also write DIR/trajectories.npz (key traj, [n_train, M+1, N, N]): "
                    + "noisy training trajectories for inspection.")
    boolean trajectories;

    @Option(names = "--force", description = "Overwrite an existing data set in DIR.")
    boolean force;

    @Override
    public Integer call() {
        DatasetSpec spec = spec().validateForData();
        if (!DatasetStore.isEmptyOrAbsent(out) && !force && !DatasetStore.isIncomplete(out)) {
            if (Files.isRegularFile(out.resolve(DatasetStore.MANIFEST))) {
                DatasetStore existing = DatasetStore.open(out);
                if (existing.spec().equals(spec) && (existing.hasTrajectories() || !trajectories)) {
                    System.out.println(out + " already holds this data set (same parameters); nothing to do.");
                    return 0;
                }
            }
            throw new InvalidInputException(out + " already exists and is not empty (or holds a data set with other "
                    + "parameters); choose another --out or add --force to overwrite it");
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new InvalidInputException(out + " exists and is not a directory");
        }
        long start = System.nanoTime();
        try (NDManager manager = Engines.newManager(spec.problem().engineThreads());
                Interruption.Notice notice = Interruption.notice(out + " is incomplete (no " + DatasetStore.MANIFEST
                        + "); run the same command again to generate it")) {
            long engineReady = System.nanoTime();
            Dataset data = DatasetGenerator.generate(manager, spec, trajectories);
            long generated = System.nanoTime();
            DatasetStore.write(out, data);
            long written = System.nanoTime();
            System.out.printf(
                    "wrote %s: %s, %d training + %d test states of shape %s, normalisation mean %.6g std %.6g%n",
                    out,
                    spec.problem().name(),
                    spec.trainSize(),
                    spec.testSize(),
                    Arrays.toString(spec.problem().stateShape()),
                    data.normalisation().mean(),
                    data.normalisation().std());
            System.out.printf(
                    "time: engine start %.2f s, generation %.2f s, writing %.2f s%n",
                    (engineReady - start) / 1e9, (generated - engineReady) / 1e9, (written - generated) / 1e9);
        }
        return 0;
    }

    /** The problem's defaults with every option given on the command line. */
    DatasetSpec spec() {
        Problem defaults = Problems.defaults(problemName);
        if (!(defaults instanceof HeatProblem) && (grid != null || exponent != null || alpha != null)) {
            throw new InvalidInputException("--grid, --exponent and --alpha apply to the heat problem only; "
                    + problemName + " takes --set "
                    + String.join("=..., --set ", defaults.parameters().keySet())
                    + "=...");
        }
        Map<String, Number> overrides = new LinkedHashMap<>();
        putIfGiven(overrides, "grid_size", grid);
        putIfGiven(overrides, "exponent", exponent);
        putIfGiven(overrides, "alpha", alpha);
        overrides.putAll(parameters);
        Problem problem = Problems.withParameters(problemName, overrides);
        DatasetSpec d = problem.defaultSpec();
        return new DatasetSpec(
                problem,
                train != null ? train : d.trainSize(),
                test != null ? test : d.testSize(),
                endTime != null ? endTime : d.endTime(),
                steps != null ? steps : d.steps(),
                diffusion != null ? diffusion : d.diffusion(),
                observationNoise != null ? observationNoise : d.observationNoise(),
                seed != null ? seed : d.seed());
    }

    private static void putIfGiven(Map<String, Number> params, String key, Number value) {
        if (value != null) {
            params.put(key, value);
        }
    }
}
