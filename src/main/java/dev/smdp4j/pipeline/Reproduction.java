package dev.smdp4j.pipeline;

import ai.djl.ndarray.NDManager;
import dev.smdp4j.Version;
import dev.smdp4j.data.DatasetStore;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.eval.Evaluation;
import dev.smdp4j.eval.Metrics;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.Npz;
import dev.smdp4j.report.BenchmarkFigures;
import dev.smdp4j.report.Table1;
import dev.smdp4j.report.Table1.Measured;
import dev.smdp4j.report.Table1.Row;
import dev.smdp4j.train.Method;
import dev.smdp4j.train.SurrogatePhysics;
import dev.smdp4j.train.TrainableModel;
import dev.smdp4j.train.TrainingOptions;
import dev.smdp4j.train.TrainingRun;
import dev.smdp4j.util.Hashing;
import dev.smdp4j.util.Progress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 */
public final class Reproduction {
    /** Where predictions live inside the output directory. */
    static final String PREDICTIONS = "predictions";
    /** The SMDP models of this run as they would ship ({@link Pretrained#export}). */
    static final String SHIPPED = "shipped";

    /** Exit code of a training stage that was stopped and can continue ({@code smdp reproduce} returns it). */
    public static final int EXIT_STOPPED = 3;

    private final Path out;
    private final ReproductionProfile profile;
    private final boolean showProgress;
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
        this.showProgress = showProgress;
        this.jobs = jobs;
        this.childMain = childMain;
        this.cache = new StageCache(out, showProgress);
    }

    /** Runs every stage that is not already complete; returns the measured rows. */
    public List<Measured> run(NDManager manager) {
        long start = System.nanoTime();
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new InvalidInputException("cannot create output directory " + out + ": " + e.getMessage(), e);
        }
        cache.log("smdp reproduce --profile " + profile.name() + " (" + Version.label() + ", commit " + Version.commit()
                + ")");
        cache.log("data: " + profile.data().toMap());
        Path dataDir = cache.data(manager, profile.data(), "profile '" + profile.name() + "'");
        DatasetStore store = DatasetStore.open(dataDir);
        String dataHash = Hashing.sha256(dataDir.resolve(DatasetStore.TRAIN));
        if (jobs > 1) {
            sideBySide(dataHash).run(trainings());
        }
        Map<String, Path> checkpoints = new LinkedHashMap<>();
        for (List<String> chain : trainings()) {
            for (String label : chain) {
                checkpoints.put(label, train(manager, label, dataDir, dataHash));
            }
        }
        Normalisation norm = store.normalisation();
        HostArray truth = store.testX0();
        HostArray y = norm.normalise(store.testY());
        List<Measured> measured = new ArrayList<>();
        for (Row row : rows()) {
            Path file = predict(manager, row, checkpointFor(row, checkpoints), store, y, 1, null);
            Evaluation e = Metrics.evaluate(
                    truth,
                    Npz.read(file, "x0"),
                    norm.mean(),
                    norm.std(),
                    store.spec().alpha(),
                    store.spec().endTime());
            measured.add(new Measured(row, e, file));
            cache.log(String.format(
                    Locale.ROOT,
                    "%-38s MSE %10.4f e-5  spectral %7.4f",
                    row.name(),
                    e.mse().mean() * 1e5,
                    e.spectralError().mean()));
        }
        Path posterior = predict(
                manager,
                Table1.SMDP_SDE,
                checkpointFor(Table1.SMDP_SDE, checkpoints),
                store,
                y,
                profile.posteriorSamples(),
                profile.figureObservations());
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
                    figures(out, store, measured, Npz.read(posterior, "x0"), profile.figureObservations());
                    return null;
                },
                false);
        shipped(manager, checkpointFor(Table1.SMDP_ODE, checkpoints), Pretrained.Use.ESTIMATE);
        shipped(manager, checkpointFor(Table1.SMDP_SDE, checkpoints), Pretrained.Use.POSTERIOR);
        cache.log(String.format(Locale.ROOT, "done in %.1f s (this run)", (System.nanoTime() - start) / 1e9));
        cache.writeLog();
        return measured;
    }

    /**
     * {@code DIR/shipped/NAME}: the SMDP model for {@code use} in the form the library ships it
     * (copy both files to {@code src/main/resources/models/} to ship them); kept when it was already
     * exported from the same checkpoint.
     */
    private void shipped(NDManager manager, Path source, Pretrained.Use use) {
        Path target = out.resolve(SHIPPED).resolve(use.fileName());
        boolean wrote = cache.stage(
                "export " + use.fileName(),
                () -> Pretrained.exportUnlessCurrent(
                        manager,
                        source,
                        target,
                        use,
                        "smdp reproduce --profile " + profile.name() + " (commit " + Version.commit() + "), "
                                + out.relativize(source) + "; see " + out.resolve(StageCache.LOG)),
                false);
        if (wrote) {
            cache.log("shipped form of " + source + " for " + use.sampler() + ": " + target);
        }
    }

    /**
     * The checkpoint a row samples: for the {@code sde} sampler the run's {@code best-sde.ckpt}
     * (chosen by the SDE's validation spectral error) when the method wrote one, else its
     * {@code best.ckpt}; null for closed forms.
     */
    private static Path checkpointFor(Row row, Map<String, Path> checkpoints) {
        Path best = checkpoints.get(row.source());
        if (best != null && "sde".equals(row.sampler())) {
            Path posterior = best.resolveSibling(TrainingRun.BEST_POSTERIOR);
            if (Files.isRegularFile(posterior)) {
                return posterior;
            }
        }
        return best;
    }

    // ------------------------------------------------------------------ trainings

    /**
     * The trainings in the order they start, as chains that run one after another (the surrogate
     * before SMDP with it). Longest first, so that trainings run side by side end close together.
     */
    List<List<String>> trainings() {
        List<List<String>> chains = new ArrayList<>();
        chains.add(List.of(Method.SMDP.id()));
        if (profile.learnedPhysics()) {
            chains.add(List.of(Method.SURROGATE.id(), Table1.LEARNED));
        }
        for (Method m : List.of(
                Method.HEATGEN,
                Method.FNO_S,
                Method.FNO_P,
                Method.BNN_P,
                Method.BNN_S,
                Method.RESNET_S,
                Method.RESNET_P)) {
            chains.add(List.of(m.id()));
        }
        return chains;
    }

    /** The rows this run measures: every row, less the learned-physics pair when the profile leaves it out. */
    List<Row> rows() {
        return Table1.ROWS.stream()
                .filter(r -> profile.learnedPhysics() || !r.source().equals(Table1.LEARNED))
                .toList();
    }

    /** The options of training {@code label}; SMDP with learned physics needs the surrogate's training done. */
    private TrainingOptions options(String label, String dataHash) {
        if (!label.equals(Table1.LEARNED)) {
            return profile.options(Method.parse(label));
        }
        Path surrogate = runDir(Method.SURROGATE.id(), dataHash).resolve(TrainingRun.BEST);
        return profile.learnedPhysicsOptions(SurrogatePhysics.PREFIX + surrogate.toAbsolutePath());
    }

    /** The directory of training {@code label}: keyed by its options, network and data (and the surrogate's content). */
    private Path runDir(String label, String dataHash) {
        TrainingOptions options = options(label, dataHash);
        Map<String, Object> config = new LinkedHashMap<>(options.toMap());
        Path surrogate = SurrogatePhysics.file(options.physics());
        if (surrogate != null) { // keyed by the surrogate's content, not its path
            config.put("physics", Hashing.sha256(surrogate));
        }
        return cache.runDir(label, StageCache.runKey(config, options.network().toMap(), dataHash));
    }

    /** Whether training {@code label} has completed (for SMDP with learned physics: and its surrogate's). */
    private boolean complete(String label, String dataHash) {
        if (label.equals(Table1.LEARNED) && !complete(Method.SURROGATE.id(), dataHash)) {
            return false;
        }
        return StageCache.isComplete(runDir(label, dataHash));
    }

    /** Trains (or resumes, or reuses) training {@code label} in this JVM; returns its best.ckpt. */
    private Path train(NDManager manager, String label, Path dataDir, String dataHash) {
        Path dir = runDir(label, dataHash);
        cache.train(
                manager,
                label,
                dir,
                complete(label, dataHash),
                () -> options(label, dataHash),
                dataDir,
                Interrupted::new);
        return dir.resolve(TrainingRun.BEST);
    }

    /** The line that announces training {@code label}. */
    private String describe(String label, String dataHash) {
        TrainingOptions options = options(label, dataHash);
        return "train " + label + ": " + options.toMap() + " network "
                + options.network().toMap();
    }

    /** The trainings side by side, each child running {@code reproduce --train-only LABEL} with this run's settings. */
    private SideBySideTraining sideBySide(String dataHash) {
        if (childMain == null) {
            throw new IllegalStateException("trainings side by side need the main class of their child JVMs");
        }
        return new SideBySideTraining(cache, jobs, childMain, new SideBySideTraining.Trainings() {
            @Override
            public boolean complete(String label) {
                return Reproduction.this.complete(label, dataHash);
            }

            @Override
            public String describe(String label) {
                return Reproduction.this.describe(label, dataHash);
            }

            @Override
            public List<String> childArguments(String label) {
                List<String> args = new ArrayList<>(List.of(
                        "reproduce",
                        "--profile",
                        profile.name(),
                        "--out",
                        out.toAbsolutePath().toString(),
                        "--train-only",
                        label,
                        profile.learnedPhysics() ? "--learned-physics" : "--no-learned-physics",
                        "--seed",
                        Long.toString(profile.seed())));
                if (!showProgress) {
                    args.add("--quiet");
                }
                return args;
            }
        });
    }

    /**
     * Runs one training of this reproduction and nothing else (what each child process of
     * {@link SideBySideTraining} does). The data must exist; the stage table and log are the parent's.
     */
    public void trainOnly(NDManager manager, String label) {
        boolean known = trainings().stream().anyMatch(chain -> chain.contains(label));
        if (!known) {
            throw new InvalidInputException("no training '" + label + "' in profile " + profile.name());
        }
        Path dataDir = out.resolve(StageCache.DATA);
        if (!Files.isRegularFile(dataDir.resolve(DatasetStore.MANIFEST))) {
            throw new InvalidInputException(
                    "no data set in " + dataDir + "; run 'smdp reproduce' without --train-only");
        }
        cache.childOnly();
        train(manager, label, dataDir, Hashing.sha256(dataDir.resolve(DatasetStore.TRAIN)));
    }

    // ------------------------------------------------------------------ predictions and figures

    /**
     * Predictions of a row ({@code samples} per observation, for the first {@code limit} observations or all),
     * cached under a key of the model's content, the sampler, the counts and the seed.
     */
    private Path predict(
            NDManager manager, Row row, Path checkpoint, DatasetStore store, HostArray y, int samples, Integer limit) {
        boolean closed = checkpoint == null;
        String modelKey = closed ? row.source() : Hashing.sha256(checkpoint);
        long seed = profile.seed();
        int steps = store.spec().steps();
        String key = Hashing.sha256Hex((modelKey + "|" + row.sampler() + "|" + steps + "|" + samples + "|" + limit + "|"
                                + seed + "|" + Hashing.sha256(store.dir().resolve(DatasetStore.TEST)))
                        .getBytes(StandardCharsets.UTF_8))
                .substring(0, 12);
        String slug = row.name()
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-")
                .replaceAll("-+$", "");
        Path file = out.resolve(PREDICTIONS).resolve(slug + (samples > 1 ? "-k" + samples : "") + "-" + key + ".npz");
        if (Files.isRegularFile(file)) {
            return file;
        }
        HostArray obs = limit == null ? y : y.rows(0, Math.min(limit, y.dim(0)));
        Reconstruction.Request request = Reconstruction.Request.of(row.sampler(), steps, samples, seed);
        cache.stage(
                "predict " + row.name() + (samples > 1 ? " x" + samples : ""),
                () -> {
                    Progress progress = new Progress(slug, (long) obs.dim(0) * samples, "samples", showProgress);
                    Reconstruction.Result result = closed
                            ? Reconstruction.closedForm(
                                    manager, row.source(), store.spec(), store.normalisation(), obs, request, progress)
                            : Reconstruction.run(
                                    manager,
                                    TrainableModel.load(manager, Checkpoint.read(checkpoint)),
                                    obs,
                                    request,
                                    progress);
                    progress.finish("");
                    try {
                        Files.createDirectories(file.getParent());
                    } catch (IOException e) {
                        throw new InvalidInputException(
                                "cannot create directory " + file.getParent() + ": " + e.getMessage(), e);
                    }
                    Npz.write(file, Map.of("x0", store.normalisation().denormalise(result.x0())));
                    return null;
                },
                true);
        return file;
    }

    /** Thrown when a stage was interrupted: the completed stages are kept; rerunning continues. */
    public static final class Interrupted extends RuntimeException {
        Interrupted(String message) {
            super(message);
        }
    }

    /** Figures 2 and 3 from the measured rows and the SDE posterior samples of the first observations. */
    private static void figures(
            Path out, DatasetStore store, List<Measured> measured, HostArray posteriorPhysical, int rows) {
        Normalisation norm = store.normalisation();
        Measured ode = measured.stream()
                .filter(m -> m.row().equals(Table1.SMDP_ODE))
                .findFirst()
                .orElseThrow();
        BenchmarkFigures.figure2(
                out.resolve("fig2.png"),
                norm.normalise(store.testX0()),
                norm.normalise(store.testY()),
                norm.normalise(Npz.read(ode.predictions(), "x0")),
                norm.normalise(posteriorPhysical),
                rows);
        LinkedHashMap<String, double[]> spectra = new LinkedHashMap<>();
        for (Measured m : measured) {
            if (!m.row().limit() || m.row().source().equals(Table1.EXACT_POSTERIOR.source())) {
                spectra.put(m.row().name(), m.evaluation().predictionRadialSpectrum());
            }
        }
        BenchmarkFigures.figure3(out.resolve("fig3.png"), ode.evaluation().truthRadialSpectrum(), spectra);
    }
}
