package dev.smdp4j.pipeline;

import ai.djl.ndarray.NDManager;
import dev.smdp4j.Version;
import dev.smdp4j.data.DatasetStore;
import dev.smdp4j.io.AtomicFiles;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.Npz;
import dev.smdp4j.report.Table1;
import dev.smdp4j.report.Table1.Measured;
import dev.smdp4j.report.Table1.Row;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code smdp reproduce}: the paper's Table 1 ({@link Table1}) and Figures 2-3 in one run. Generates
 * the data, trains SMDP and every baseline, reconstructs the test set with each row's model and
 * sampler, adds the closed-form limit rows, evaluates, and writes {@code table1.md/.csv/.json},
 * {@code fig2.png}, {@code fig3.png} and {@code log.txt}.
 *
 * <p>Resumable ({@link StageCache}): every stage's output is keyed by a hash of its configuration
 * (and of its inputs' contents) and reused when present; an interrupted training resumes from its
 * last checkpoint. A second run with the same profile therefore only rewrites the tables and
 * figures. With more than one job the trainings run side by side in child JVMs
 * ({@link SideBySideTraining}).
 *
 * <p>This class orders the stages: {@link ReproductionTrainings} runs the trainings,
 * {@link ReproductionPredictions} the predictions, their evaluation and the figures.
 */
public final class Reproduction {
    /** Exit code of a training stage that was stopped and can continue ({@code smdp reproduce} returns it). */
    public static final int EXIT_STOPPED = 3;

    private final Path out;
    private final ReproductionProfile profile;
    private final int jobs;
    private final String childMain;
    private final StageCache cache;

    /**
     * @param jobs how many trainings run at once: 1 runs them one after another in this JVM; more runs
     *     each in a child JVM ({@link SideBySideTraining}) with {@code processors / jobs} engine threads
     *     (fewer jobs when fewer trainings are pending, and more threads each)
     * @param childMain the main class a child JVM runs: the command line's, which runs one training for
     *     {@code reproduce --train-only LABEL}; not used with one job
     */
    public Reproduction(Path out, ReproductionProfile profile, boolean showProgress, int jobs, String childMain) {
        if (jobs < 1) {
            throw new InvalidInputException("--jobs must be at least 1, got " + jobs);
        }
        this.out = out;
        this.profile = profile;
        this.jobs = jobs;
        this.childMain = childMain;
        this.cache = new StageCache(out, showProgress);
    }

    /** Runs every stage that is not already complete; returns the measured rows. */
    public List<Measured> run(NDManager manager) {
        long start = System.nanoTime();
        AtomicFiles.createDirectories(out);
        cache.log("smdp reproduce --profile " + profile.name() + " (" + Version.label() + ", commit " + Version.commit()
                + ")");
        cache.log("data: " + profile.data().toMap());
        Path dataDir = cache.data(manager, profile.data(), "profile '" + profile.name() + "'");
        DatasetStore store = DatasetStore.open(dataDir);
        ReproductionTrainings trainings = new ReproductionTrainings(profile, cache, dataDir);
        if (jobs > 1) {
            trainings.sideBySide(jobs, childMain).run(ReproductionTrainings.chains(profile));
        }
        Map<String, TrainedCheckpoints> trained = trainings.trainAll(manager);
        ReproductionPredictions predictions = new ReproductionPredictions(cache, store, profile.seed());
        List<Measured> measured = predictions.measure(manager, rows(), trained);
        Path posterior = predictions.predict(
                manager, Table1.SMDP_SDE, trained, profile.posteriorSamples(), profile.figureObservations());
        cache.stage(
                "tables",
                () -> {
                    Table1.write(
                            out,
                            measured,
                            Map.of(
                                    "profile",
                                    profile.name(),
                                    "commit",
                                    Version.commit(),
                                    "seed",
                                    profile.seed(),
                                    "data_seed",
                                    profile.data().seed(),
                                    "library",
                                    Version.label(),
                                    "jobs",
                                    jobs,
                                    "stages",
                                    cache.stages()));
                    return null;
                },
                false);
        cache.stage(
                "figures",
                () -> {
                    predictions.figures(measured, Npz.read(posterior, "x0"), profile.figureObservations());
                    return null;
                },
                false);
        shipped(manager, ReproductionPredictions.checkpointFor(Table1.SMDP_ODE, trained), Pretrained.Use.ESTIMATE);
        shipped(manager, ReproductionPredictions.checkpointFor(Table1.SMDP_SDE, trained), Pretrained.Use.POSTERIOR);
        cache.log(String.format(Locale.ROOT, "done in %.1f s (this run)", (System.nanoTime() - start) / 1e9));
        cache.writeLog();
        return measured;
    }

    /** The rows this run measures: every row, less the learned-physics pair when the profile leaves it out. */
    List<Row> rows() {
        return Table1.ROWS.stream()
                .filter(r -> profile.learnedPhysics() || !r.source().equals(Table1.LEARNED))
                .toList();
    }

    /**
     * {@code DIR/shipped/NAME}: the SMDP model for {@code use} in the form the library ships it
     * ({@link TrainedCheckpoints#ship}); kept when it was already exported from the same checkpoint.
     */
    private void shipped(NDManager manager, Path source, Pretrained.Use use) {
        TrainedCheckpoints.ship(
                manager,
                cache,
                source,
                use.fileName(),
                use,
                "smdp reproduce --profile " + profile.name() + " (commit " + Version.commit() + "), "
                        + out.relativize(source) + "; see " + out.resolve(StageCache.LOG));
    }

    /**
     * Runs one training of this reproduction and nothing else (what each child process of
     * {@link SideBySideTraining} does). The data must exist; the stage table and log are the parent's.
     */
    public void trainOnly(NDManager manager, String label) {
        boolean known = ReproductionTrainings.chains(profile).stream().anyMatch(chain -> chain.contains(label));
        if (!known) {
            throw new InvalidInputException("no training '" + label + "' in profile " + profile.name());
        }
        Path dataDir = out.resolve(StageCache.DATA);
        if (!Files.isRegularFile(dataDir.resolve(DatasetStore.MANIFEST))) {
            throw new InvalidInputException(
                    "no data set in " + dataDir + "; run 'smdp reproduce' without --train-only");
        }
        cache.childOnly();
        new ReproductionTrainings(profile, cache, dataDir).train(manager, label);
    }

    /** Thrown when a stage was interrupted: the completed stages are kept; rerunning continues. */
    public static final class Interrupted extends RuntimeException {
        Interrupted(String message) {
            super(message);
        }
    }
}
