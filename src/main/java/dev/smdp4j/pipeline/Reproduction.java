package dev.smdp4j.pipeline;

import ai.djl.ndarray.NDManager;
import dev.smdp4j.Version;
import dev.smdp4j.data.DatasetGenerator;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.DatasetStore;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.eval.Evaluation;
import dev.smdp4j.eval.Metrics;
import dev.smdp4j.io.AtomicFiles;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.Json;
import dev.smdp4j.io.Npz;
import dev.smdp4j.report.BenchmarkFigures;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.train.Method;
import dev.smdp4j.train.SurrogatePhysics;
import dev.smdp4j.train.TrainableModel;
import dev.smdp4j.train.TrainingOptions;
import dev.smdp4j.train.TrainingRun;
import dev.smdp4j.util.ChildJvm;
import dev.smdp4j.util.Hashing;
import dev.smdp4j.util.Progress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code smdp reproduce}: the paper's Table 1 and Figures 2-3 in one run. Generates the data,
 * trains SMDP and every baseline, reconstructs the test set with each row's model and sampler,
 * adds the closed-form limit rows, evaluates, and writes {@code table1.md/.csv/.json},
 * {@code fig2.png}, {@code fig3.png} and {@code log.txt}.
 *
 * <p>Resumable: every stage's output is keyed by a hash of its configuration (and of its inputs'
 * contents) and reused when present; an interrupted training resumes from its last checkpoint. A
 * second run with the same profile therefore only rewrites the tables and figures.
 */
public final class Reproduction {
    /** Where trained models, predictions and stage timings live inside the output directory. */
    static final String DATA = "data";
    static final String RUNS = "runs";
    static final String PREDICTIONS = "predictions";
    static final String STAGES = "stages.json";
    /** The SMDP models of this run as they would ship ({@link Pretrained#export}). */
    static final String SHIPPED = "shipped";

    /** Where the trainings run side by side write their output (one file per training). */
    static final String LOGS = "logs";
    /** Exit code of a training stage that was stopped and can continue ({@code smdp reproduce} returns it). */
    public static final int EXIT_STOPPED = 3;

    private final Path out;
    private final ReproductionProfile profile;
    private final boolean showProgress;
    private final int jobs;
    private final Map<String, Object> stages;
    private final List<String> logLines = new ArrayList<>();
    /** Set in a child process that runs one training ({@link #trainOnly}): stages and log are the parent's. */
    private boolean childOnly;
    /** Set once the trainings side by side are being stopped (a signal or a failure): no new child starts. */
    private volatile boolean stopping;

    /** One row of the table: what predicts, how, and the paper's numbers (null where the paper has none). */
    public record Row(String name, String source, String sampler, boolean fullPosterior, Double paperMse,
            Double paperSpectral, boolean limit) {
    }

    /** The source of the rows of SMDP with a learned surrogate physics instead of the solver. */
    static final String LEARNED = "smdp-learned-physics";

    /** Table 1's rows in the paper's order (plus SMDP with learned physics after the SMDP pair), then the closed-form limits and references. */
    public static final List<Row> ROWS = List.of(
            new Row("SMDP-ODE", "smdp", "ode", false, 0.74, 3.62, false),
            new Row("SMDP-SDE", "smdp", "sde", true, 5.56, 0.56, false),
            new Row("SMDP-ODE (learned physics)", LEARNED, "ode", false, null, null, false),
            new Row("SMDP-SDE (learned physics)", LEARNED, "sde", true, null, null, false),
            new Row("ResNet-S", "resnet-s", null, false, 2.17, 1.67, false),
            new Row("ResNet-P", "resnet-p", null, false, 2.30, 1.09, false),
            new Row("BNN-S", "bnn-s", null, true, 347.0, 1.25, false),
            new Row("BNN-P", "bnn-p", null, true, 381.0, 0.99, false),
            new Row("FNO-S", "fno-s", null, false, 25400.0, 1.60, false),
            new Row("FNO-P", "fno-p", null, false, 25000.0, 1.47, false),
            new Row("HeatGen", "heatgen", "ode", false, 1.39, 4.45, false),
            new Row("HeatGen+noise", "heatgen", "sde", true, 4.45, 3.24, false),
            new Row("limit: exact posterior mean", "exact-posterior-mean", null, false, null, null, true),
            new Row("limit: exact posterior sample", "exact-posterior", null, true, null, null, true),
            new Row("exact-score SMDP-ODE", "exact-score", "ode", false, null, null, true),
            new Row("exact-score SMDP-SDE", "exact-score", "sde", true, null, null, true),
            new Row("exact-net SMDP-ODE (method ceiling)", "exact-net", "ode", false, null, null, true),
            new Row("exact-net SMDP-SDE (method ceiling)", "exact-net", "sde", true, null, null, true));

    /** A measured row. */
    public record Measured(Row row, Evaluation evaluation, Path predictions) {
    }

    /**
     * @param jobs how many trainings run at once: 1 runs them one after another in this JVM; more runs
     *     each in a child JVM ({@link #trainSideBySide}) with {@code processors / jobs} engine threads
     *     (fewer jobs when fewer trainings are pending, and more threads each)
     */
    public Reproduction(Path out, ReproductionProfile profile, boolean showProgress, int jobs) {
        if (jobs < 1) {
            throw new InvalidInputException("--jobs must be at least 1, got " + jobs);
        }
        this.out = out;
        this.profile = profile;
        this.showProgress = showProgress;
        this.jobs = jobs;
        Path stagesFile = out.resolve(STAGES);
        Map<String, Object> previous = new LinkedHashMap<>();
        if (Files.isRegularFile(stagesFile)) {
            Json.readChecked(stagesFile, false).fields().forEachRemaining(e -> previous.put(e.getKey(), Json.mapper()
                    .convertValue(e.getValue(), Object.class)));
        }
        this.stages = previous;
    }

    /** Runs every stage that is not already complete; returns the measured rows. */
    public List<Measured> run(NDManager manager) {
        long start = System.nanoTime();
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new InvalidInputException("cannot create output directory " + out + ": " + e.getMessage(), e);
        }
        log("smdp reproduce --profile " + profile.name() + " (" + Version.label() + ", commit " + Version.commit() + ")");
        log("data: " + profile.data().toMap());
        Path dataDir = data(manager);
        DatasetStore store = DatasetStore.open(dataDir);
        String dataHash = Hashing.sha256(dataDir.resolve(DatasetStore.TRAIN));
        if (jobs > 1) {
            trainSideBySide(dataDir, dataHash);
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
            Evaluation e = Metrics.evaluate(truth, Npz.read(file, "x0"), norm.mean(), norm.std(), store.spec().alpha(),
                    store.spec().endTime());
            measured.add(new Measured(row, e, file));
            log(String.format(Locale.ROOT, "%-38s MSE %10.4f e-5  spectral %7.4f", row.name(), e.mse().mean() * 1e5,
                    e.spectralError().mean()));
        }
        Path posterior = predict(manager, ROWS.get(1), checkpointFor(ROWS.get(1), checkpoints), store, y,
                profile.posteriorSamples(),
                profile.figureObservations());
        stage("tables", () -> {
            Table1.write(out, measured, Map.of("profile", profile.name(), "commit", Version.commit(), "seed",
                    profile.seed(), "data_seed", profile.data().seed(), "library", Version.label(), "jobs", jobs, "stages", stages));
            return null;
        }, false);
        stage("figures", () -> {
            figures(out, store, measured, Npz.read(posterior, "x0"), profile.figureObservations());
            return null;
        }, false);
        shipped(manager, checkpointFor(ROWS.get(0), checkpoints), Pretrained.Use.ESTIMATE);
        shipped(manager, checkpointFor(ROWS.get(1), checkpoints), Pretrained.Use.POSTERIOR);
        log(String.format(Locale.ROOT, "done in %.1f s (this run)", (System.nanoTime() - start) / 1e9));
        writeLog();
        return measured;
    }

    /**
     * {@code DIR/shipped/NAME}: the SMDP model for {@code use} in the form the library ships it
     * (copy both files to {@code src/main/resources/models/} to ship them); kept when it was already
     * exported from the same checkpoint.
     */
    private void shipped(NDManager manager, Path source, Pretrained.Use use) {
        Path target = out.resolve(SHIPPED).resolve(use.fileName());
        boolean wrote = stage("export " + use.fileName(), () -> Pretrained.exportUnlessCurrent(manager, source, target,
                use, "smdp reproduce --profile " + profile.name() + " (commit " + Version.commit() + "), "
                        + out.relativize(source) + "; see " + out.resolve("log.txt")), false);
        if (wrote) {
            log("shipped form of " + source + " for " + use.sampler() + ": " + target);
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

    // ------------------------------------------------------------------ stages

    private Path data(NDManager manager) {
        Path dir = out.resolve(DATA);
        DatasetSpec spec = profile.data();
        if (Files.isRegularFile(dir.resolve(DatasetStore.MANIFEST))) {
            if (!DatasetStore.open(dir).spec().equals(spec)) {
                throw new InvalidInputException(dir + " holds a data set with other parameters than profile '"
                        + profile.name() + "'; use another --out");
            }
            log("data: reused " + dir);
            return dir;
        }
        stage("data", () -> {
            DatasetStore.write(dir, DatasetGenerator.generate(manager, spec, false));
            return null;
        }, true);
        return dir;
    }

    /**
     * The trainings in the order they start, as chains that run one after another (the surrogate
     * before SMDP with it). Longest first, so that trainings run side by side end close together.
     */
    List<List<String>> trainings() {
        List<List<String>> chains = new ArrayList<>();
        chains.add(List.of(Method.SMDP.id()));
        if (profile.learnedPhysics()) {
            chains.add(List.of(Method.SURROGATE.id(), LEARNED));
        }
        for (Method m : List.of(Method.HEATGEN, Method.FNO_S, Method.FNO_P, Method.BNN_P, Method.BNN_S,
                Method.RESNET_S, Method.RESNET_P)) {
            chains.add(List.of(m.id()));
        }
        return chains;
    }

    /** The rows this run measures: every row, less the learned-physics pair when the profile leaves it out. */
    List<Row> rows() {
        return ROWS.stream().filter(r -> profile.learnedPhysics() || !r.source().equals(LEARNED)).toList();
    }

    /** The options of training {@code label}; SMDP with learned physics needs the surrogate's training done. */
    private TrainingOptions options(String label, String dataHash) {
        if (!label.equals(LEARNED)) {
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
        return out.resolve(RUNS).resolve(label + "-" + runKey(config, options.network().toMap(), dataHash));
    }

    /**
     * The 12-hex-digit key of a training: the SHA-256 of the canonical JSON ({@link Json#canonical}) of its
     * options (as stored), its network and its data's SHA-256.
     */
    public static String runKey(Map<String, Object> options, Map<String, Object> network, String dataHash) {
        String canonical = Json.canonical(Map.of("training", options, "network", network, "data", dataHash));
        return Hashing.sha256Hex(canonical.getBytes(StandardCharsets.UTF_8)).substring(0, 12);
    }

    /** Whether the training in {@code runDir} has completed its schedule (its last.ckpt says so). */
    public static boolean isComplete(Path runDir) {
        Path last = runDir.resolve(TrainingRun.LAST);
        return Files.isRegularFile(last) && Checkpoint.read(last).metadata().path("complete").asBoolean(false);
    }

    /** Whether training {@code label} has completed (for SMDP with learned physics: and its surrogate's). */
    private boolean complete(String label, String dataHash) {
        if (label.equals(LEARNED) && !complete(Method.SURROGATE.id(), dataHash)) {
            return false;
        }
        return isComplete(runDir(label, dataHash));
    }

    private Path train(NDManager manager, String label, Path dataDir, String dataHash) {
        Path dir = runDir(label, dataHash);
        String name = "train " + label;
        if (complete(label, dataHash)) {
            log(name + ": reused " + dir);
            return dir.resolve(TrainingRun.BEST);
        }
        TrainingOptions options = options(label, dataHash);
        log(name + ": " + options.toMap() + " network " + options.network().toMap());
        boolean resume = Files.isRegularFile(dir.resolve(TrainingRun.LAST));
        TrainingRun.Result r = stage(name, () -> new TrainingRun(dataDir, dir, options, resume, 5, 0, showProgress)
                .label(label).resumeHint("run the same 'smdp reproduce' command again to continue").run(manager), true);
        if (!r.complete()) {
            writeLog();
            throw new Interrupted("training of " + label + " stopped at step " + r.position().step()
                    + "; run the same command again to continue");
        }
        return dir.resolve(TrainingRun.BEST);
    }

    /**
     * Runs one training of this reproduction and nothing else (what each child process of
     * {@link #trainSideBySide} does). The data must exist; the stage table and log are the parent's.
     */
    public void trainOnly(NDManager manager, String label) {
        boolean known = trainings().stream().anyMatch(chain -> chain.contains(label));
        if (!known) {
            throw new InvalidInputException("no training '" + label + "' in profile " + profile.name());
        }
        Path dataDir = out.resolve(DATA);
        if (!Files.isRegularFile(dataDir.resolve(DatasetStore.MANIFEST))) {
            throw new InvalidInputException("no data set in " + dataDir + "; run 'smdp reproduce' without --train-only");
        }
        childOnly = true;
        train(manager, label, dataDir, Hashing.sha256(dataDir.resolve(DatasetStore.TRAIN)));
    }

    /**
     * Runs the pending trainings {@code jobs} at a time, each in a child JVM ({@link ChildJvm}: one
     * gradient collector per process in DJL) with its share of the cores as engine threads, output in
     * {@code DIR/logs/LABEL.log}. Chains run in order in one job. A stop signal stops every child,
     * which saves its checkpoint; the first failure stops the others the same way.
     */
    private void trainSideBySide(Path dataDir, String dataHash) {
        List<List<String>> pending = trainings().stream()
                .filter(chain -> chain.stream().anyMatch(label -> !complete(label, dataHash))).toList();
        if (pending.isEmpty()) {
            return;
        }
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / Math.min(jobs, pending.size()));
        log(String.format(Locale.ROOT, "training %s, %d at a time, in child processes of %d engine thread(s); "
                + "their output: %s", pending, jobs, threads, out.resolve(LOGS)));
        Set<ChildJvm> running = ConcurrentHashMap.newKeySet();
        Thread hook = new Thread(() -> stopAll(running), "smdp-reproduce-children");
        Runtime.getRuntime().addShutdownHook(hook);
        ExecutorService pool = Executors.newFixedThreadPool(jobs);
        try {
            stage("train side by side (" + jobs + " jobs)", () -> {
                List<Future<?>> futures = new ArrayList<>();
                for (List<String> chain : pending) {
                    futures.add(pool.submit(() -> {
                        for (String label : chain) {
                            trainInChild(label, dataHash, threads, running);
                        }
                        return null;
                    }));
                }
                pool.shutdown();
                RuntimeException first = null;
                for (Future<?> f : futures) {
                    try {
                        f.get();
                    } catch (ExecutionException e) {
                        if (first == null) {
                            first = e.getCause() instanceof RuntimeException re ? re
                                    : new IllegalStateException(e.getCause());
                            stopAll(running); // the running children save and exit
                            futures.forEach(other -> other.cancel(true)); // and the queued ones never start
                        }
                    } catch (CancellationException e) {
                        // not started after a failure
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new Interrupted("interrupted while waiting for the trainings");
                    }
                }
                if (first != null) {
                    writeLog();
                    throw first;
                }
                return null;
            }, true);
        } finally {
            pool.shutdownNow();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // shutting down: the hook is stopping the children
            }
        }
    }

    /** Training {@code label} in a child JVM, unless complete; throws {@link Interrupted} when it was stopped. */
    private void trainInChild(String label, String dataHash, int threads, Set<ChildJvm> running)
            throws InterruptedException {
        if (stopping || complete(label, dataHash)) {
            return; // when stopping: the failure or signal is reported by the job that saw it
        }
        TrainingOptions options = options(label, dataHash);
        log("train " + label + ": " + options.toMap() + " network " + options.network().toMap());
        List<String> args = new ArrayList<>(List.of("reproduce", "--profile", profile.name(), "--out",
                out.toAbsolutePath().toString(), "--train-only", label,
                profile.learnedPhysics() ? "--learned-physics" : "--no-learned-physics", "--seed",
                Long.toString(profile.seed())));
        if (!showProgress) {
            args.add("--quiet");
        }
        Path log = out.resolve(LOGS).resolve(label + ".log");
        long t0 = System.nanoTime();
        ChildJvm child;
        synchronized (running) { // no child starts once stopAll has begun
            if (stopping) {
                return;
            }
            child = ChildJvm.start(threads, args, log, showProgress);
            running.add(child);
        }
        int code;
        try {
            code = child.waitFor();
        } finally {
            running.remove(child);
        }
        record("train " + label, (System.nanoTime() - t0) / 1e9);
        if (code == EXIT_STOPPED || code == 130 || code == 143) {
            throw new Interrupted("training of " + label + " was stopped (its checkpoint is kept); run the same "
                    + "command again to continue");
        }
        if (code != 0) {
            throw new InvalidInputException("training of " + label + " failed in its child process (exit " + code
                    + "); its last lines (all of them in " + log + "):\n" + child.tail());
        }
    }

    /** Asks every running child to stop and save, and waits for them (bounded, as {@link dev.smdp4j.util.Interruption}). */
    private void stopAll(Set<ChildJvm> running) {
        List<ChildJvm> children;
        synchronized (running) {
            stopping = true;
            children = new ArrayList<>(running);
        }
        children.forEach(ChildJvm::stop);
        long deadline = System.nanoTime() + 150_000_000_000L;
        for (ChildJvm c : children) {
            while (c.alive() && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Predictions of a row ({@code samples} per observation, for the first {@code limit} observations or all),
     * cached under a key of the model's content, the sampler, the counts and the seed.
     */
    private Path predict(NDManager manager, Row row, Path checkpoint, DatasetStore store, HostArray y, int samples,
            Integer limit) {
        boolean closed = checkpoint == null;
        String modelKey = closed ? row.source() : Hashing.sha256(checkpoint);
        long seed = profile.seed();
        int steps = store.spec().steps();
        String key = Hashing.sha256Hex((modelKey + "|" + row.sampler() + "|" + steps + "|" + samples + "|" + limit + "|"
                + seed + "|" + Hashing.sha256(store.dir().resolve(DatasetStore.TEST))).getBytes(StandardCharsets.UTF_8))
                .substring(0, 12);
        String slug = row.name().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("-+$", "");
        Path file = out.resolve(PREDICTIONS).resolve(slug + (samples > 1 ? "-k" + samples : "") + "-" + key + ".npz");
        if (Files.isRegularFile(file)) {
            return file;
        }
        HostArray obs = limit == null ? y : y.rows(0, Math.min(limit, y.dim(0)));
        Reconstruction.Request request = Reconstruction.Request.of(row.sampler(), steps, samples, seed);
        stage("predict " + row.name() + (samples > 1 ? " x" + samples : ""), () -> {
            Progress progress = new Progress(slug, (long) obs.dim(0) * samples, "samples", showProgress);
            Reconstruction.Result result = closed
                    ? Reconstruction.closedForm(manager, row.source(), store.spec(), store.normalisation(), obs, request,
                            progress)
                    : Reconstruction.run(manager, TrainableModel.load(manager, Checkpoint.read(checkpoint)), obs,
                            request, progress);
            progress.finish("");
            try {
                Files.createDirectories(file.getParent());
            } catch (IOException e) {
                throw new InvalidInputException("cannot create directory " + file.getParent() + ": " + e.getMessage(), e);
            }
            Npz.write(file, Map.of("x0", store.normalisation().denormalise(result.x0())));
            return null;
        }, true);
        return file;
    }

    /** Thrown when a stage was interrupted: the completed stages are kept; rerunning continues. */
    public static final class Interrupted extends RuntimeException {
        Interrupted(String message) {
            super(message);
        }
    }

    /** A stage of work whose wall time is recorded in {@code stages.json} (kept from the run that did the work). */
    private <T> T stage(String name, java.util.function.Supplier<T> work, boolean record) {
        long t0 = System.nanoTime();
        T result = work.get();
        if (record) {
            record(name, (System.nanoTime() - t0) / 1e9);
        }
        return result;
    }

    /** Adds {@code seconds} to stage {@code name}'s wall time in {@code stages.json} (not in a child process: the parent's). */
    private synchronized void record(String name, double seconds) {
        if (childOnly) {
            return;
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        Object before = stages.get(name);
        double previous = before instanceof Map<?, ?> m && m.get("seconds") instanceof Number s ? s.doubleValue() : 0;
        entry.put("seconds", previous + seconds);
        entry.put("finished", Instant.now().toString());
        stages.put(name, entry);
        Json.writeChecked(out.resolve(STAGES), stages);
        log(String.format(Locale.ROOT, "%s: %.1f s", name, seconds));
    }

    private synchronized void log(String line) {
        logLines.add(Instant.now() + "  " + line);
        if (showProgress) {
            System.err.println(line);
        }
    }

    /** Appends this run's lines to {@code log.txt}. */
    private synchronized void writeLog() {
        if (childOnly) {
            return;
        }
        Path file = out.resolve("log.txt");
        StringBuilder all = new StringBuilder();
        try {
            if (Files.isRegularFile(file)) {
                all.append(Files.readString(file));
            }
        } catch (IOException e) {
            throw new InvalidInputException("cannot read " + file + ": " + e.getMessage(), e);
        }
        for (String l : logLines) {
            all.append(l).append('\n');
        }
        logLines.clear();
        try {
            AtomicFiles.writeString(file, all.toString());
        } catch (IOException e) {
            throw new InvalidInputException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Figures 2 and 3 from the measured rows and the SDE posterior samples of the first observations. */
    private static void figures(Path out, DatasetStore store, List<Measured> measured, HostArray posteriorPhysical,
            int rows) {
        Normalisation norm = store.normalisation();
        HostArray ode = norm.normalise(Npz.read(measured.get(0).predictions(), "x0"));
        BenchmarkFigures.figure2(out.resolve("fig2.png"), norm.normalise(store.testX0()),
                norm.normalise(store.testY()), ode, norm.normalise(posteriorPhysical), rows);
        LinkedHashMap<String, double[]> spectra = new LinkedHashMap<>();
        for (Measured m : measured) {
            if (!m.row().limit() || m.row().source().equals("exact-posterior")) {
                spectra.put(m.row().name(), m.evaluation().predictionRadialSpectrum());
            }
        }
        BenchmarkFigures.figure3(out.resolve("fig3.png"), measured.get(0).evaluation().truthRadialSpectrum(), spectra);
    }
}
