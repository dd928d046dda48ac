package dev.smdp4j.cli;

import ai.djl.ndarray.NDManager;
import dev.smdp4j.data.DatasetGenerator;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.DatasetStore;
import dev.smdp4j.data.HeatDataset;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.util.Engines;
import dev.smdp4j.util.Interruption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code smdp generate}: writes a heat benchmark data set. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generate the heat benchmark: Gaussian random field initial states, their normalisation, "
                + "and test observations y = H_T(x0) + s e.",
                "Writes DIR/train.npz (x0), DIR/test.npz (x0, y), DIR/dataset.json; physical units.",
                "Defaults are the paper's protocol."})
final class GenerateCommand implements Callable<Integer> {
    private static final DatasetSpec PAPER = DatasetSpec.paper();

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
    Path out;

    @Option(names = "--train", paramLabel = "N", description = "Training initial states (default: ${DEFAULT-VALUE}).")
    int train = PAPER.trainSize();

    @Option(names = "--test", paramLabel = "N", description = "Test initial states and observations (default: ${DEFAULT-VALUE}).")
    int test = PAPER.testSize();

    @Option(names = "--grid", paramLabel = "N", description = "Grid size N of the periodic N x N grid (default: ${DEFAULT-VALUE}).")
    int grid = PAPER.gridSize();

    @Option(names = "--exponent", description = "Power-law exponent n of the prior spectrum (default: ${DEFAULT-VALUE}).")
    double exponent = PAPER.exponent();

    @Option(names = "--alpha", description = "Heat diffusivity (default: ${DEFAULT-VALUE}).")
    double alpha = PAPER.alpha();

    @Option(names = "--end-time", paramLabel = "T", description = "End time T (default: ${DEFAULT-VALUE}).")
    double endTime = PAPER.endTime();

    @Option(names = "--steps", paramLabel = "M", description = "Simulation steps M (default: ${DEFAULT-VALUE}).")
    int steps = PAPER.steps();

    @Option(names = "--diffusion", paramLabel = "G", description = "Diffusion g of the forward SDE, normalised units (default: ${DEFAULT-VALUE}).")
    double diffusion = PAPER.diffusion();

    @Option(names = "--obs-noise", paramLabel = "S", description = "Standard deviation s of the observation noise, normalised units "
            + "(default: ${DEFAULT-VALUE}; the paper's text says variance 0.1, its code and numbers use s = 0.01).")
    double observationNoise = PAPER.observationNoise();

    @Option(names = "--seed", description = "Seed of every random draw (default: ${DEFAULT-VALUE}).")
    long seed = PAPER.seed();

    @Option(names = "--trajectories", description = "Also write DIR/trajectories.npz (key traj, [n_train, M+1, N, N]): "
            + "noisy training trajectories for inspection.")
    boolean trajectories;

    @Option(names = "--force", description = "Overwrite an existing data set in DIR.")
    boolean force;

    @Override
    public Integer call() {
        DatasetSpec spec = new DatasetSpec(train, test, grid, exponent, alpha, endTime, steps, diffusion,
                observationNoise, seed).validateForData();
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
        try (NDManager manager = Engines.newManager();
                Interruption.Notice notice = Interruption.notice(out + " is incomplete (no " + DatasetStore.MANIFEST
                        + "); run the same command again to generate it")) {
            long engineReady = System.nanoTime();
            HeatDataset data = DatasetGenerator.generate(manager, spec, trajectories);
            long generated = System.nanoTime();
            DatasetStore.write(out, data);
            long written = System.nanoTime();
            System.out.printf("wrote %s: %d training + %d test fields of %dx%d, normalisation mean %.6g std %.6g%n",
                    out, train, test, grid, grid, data.normalisation().mean(), data.normalisation().std());
            System.out.printf("time: engine start %.2f s, generation %.2f s, writing %.2f s%n",
                    (engineReady - start) / 1e9, (generated - engineReady) / 1e9, (written - generated) / 1e9);
        }
        return 0;
    }
}
