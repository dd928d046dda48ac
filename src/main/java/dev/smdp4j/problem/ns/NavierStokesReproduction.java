package dev.smdp4j.problem.ns;

import ai.djl.ndarray.NDManager;
import dev.smdp4j.Version;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.DatasetStore;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.pipeline.Pretrained;
import dev.smdp4j.pipeline.Reconstruction;
import dev.smdp4j.pipeline.SdeCalibration;
import dev.smdp4j.pipeline.StageCache;
import dev.smdp4j.pipeline.TrainedCheckpoints;
import dev.smdp4j.problem.Problem;
import dev.smdp4j.sample.MapEstimate;
import dev.smdp4j.sample.Seeding;
import dev.smdp4j.train.Method;
import dev.smdp4j.train.TrainableModel;
import dev.smdp4j.train.TrainingOptions;
import dev.smdp4j.train.TrainingRun;
import dev.smdp4j.train.WindowSchedule;
import dev.smdp4j.util.Hashing;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code smdp reproduce --problem navier-stokes-2d}: the Navier-Stokes benchmark's table and figures
 * in one run. Generates the profile's data, trains SMDP through the solver and the one-shot
 * baselines (ResNet and FNO, supervised and through the solver), reconstructs the first test
 * observations with SMDP's {@code ode} sampler (one estimate), its {@code sde} sampler (K posterior
 * samples), each baseline and the MAP estimate through the solver, scores every row with the problem's
 * metrics ({@link NavierStokesProblem#metrics}, averaged over the samples) and the samplers' spread
 * with {@link dev.smdp4j.eval.Calibration}, and writes {@code table.md/.json}, {@code
 * vorticity.png}, {@code spectra.png} and {@code log.txt} ({@link NavierStokesReport}).
 *
 * <p>Resumable, with the heat reproduction's {@link StageCache}: the training lives in a directory
 * keyed by its options and data and resumes from its last checkpoint; each row's predictions are
 * cached under a hash of the model's content, the row, the observations and the seed.
 */
public final class NavierStokesReproduction {

    /**
     * What a run covers.
     *
     * @param name the profile's name
     * @param data the data protocol
     * @param schedules each trained method's schedule where it differs from the problem's default
     *     ({@link NavierStokesProblem#defaultSchedule}); every method of {@link #METHODS} is trained
     * @param samples SDE samples per observation
     * @param observations test observations reconstructed (the first ones)
     * @param mapIterations the most L-BFGS iterations of the MAP estimate (each runs the solver
     *     forward and back over T)
     */
    public record Profile(
            String name,
            DatasetSpec data,
            Map<Method, String> schedules,
            int samples,
            int observations,
            int mapIterations) {
        public Profile {
            schedules = Map.copyOf(schedules);
            if (!(data.problem() instanceof NavierStokesProblem)) {
                throw new InvalidInputException(
                        "the Navier-Stokes reproduction needs a navier-stokes-2d data protocol, got "
                                + data.problem().name());
            }
            if (samples < 2 || observations < 1 || mapIterations < 1) {
                throw new InvalidInputException("need at least 2 samples, 1 observation and 1 MAP iteration, got "
                        + samples + ", " + observations + " and " + mapIterations);
            }
        }

        /**
         * {@code quick}: 320 / 16 fields, SMDP's windows 1, 2 and 4 only, the baselines for one or two
         * epochs, 4 samples of 16 observations, MAP with at most 20 iterations (a first look, not a
         * result); {@code paper}: the default protocol (2500 / 500 fields) and schedules, 8 samples of
         * the first 50 test observations, MAP with at most 60 iterations (each runs the solver forward
         * and back over T, so the MAP row costs about as much as SMDP's window-8 stage).
         */
        public static Profile named(String name) {
            NavierStokesProblem problem = NavierStokesProblem.defaults();
            DatasetSpec full = problem.defaultSpec();
            return switch (name) {
                case "quick" ->
                    new Profile(
                            "quick",
                            new DatasetSpec(
                                    problem,
                                    320,
                                    16,
                                    full.endTime(),
                                    full.steps(),
                                    full.diffusion(),
                                    full.observationNoise(),
                                    full.seed()),
                            Map.of(
                                    Method.SMDP,
                                    "1:3:32:1e-3:1e-3,2:2:32:3e-4:3e-4,4:2:32:3e-4:3e-4",
                                    Method.RESNET_S,
                                    QUICK_SUPERVISED,
                                    Method.FNO_S,
                                    QUICK_SUPERVISED,
                                    Method.RESNET_P,
                                    QUICK_PHYSICS,
                                    Method.FNO_P,
                                    QUICK_PHYSICS),
                            4,
                            16,
                            20);
                case "paper" -> new Profile("paper", full, Map.of(), 8, 50, 60);
                default -> throw new InvalidInputException("unknown profile '" + name + "'; valid: quick, paper");
            };
        }
    }

    /** The quick profile's schedule of the supervised baselines. */
    static final String QUICK_SUPERVISED = "1:2:32:1e-3:1e-4";
    /** The quick profile's schedule of the baselines through the solver. */
    static final String QUICK_PHYSICS = "1:1:32:1e-3:1e-4";

    /** The trainings of a run, in order (SMDP first: the longest, and the one the figures need). */
    static final List<Method> METHODS =
            List.of(Method.SMDP, Method.RESNET_S, Method.FNO_S, Method.RESNET_P, Method.FNO_P);

    /**
     * A row of the table: its name, the sampler (or {@code one-shot}, or the closed form), the
     * samples per observation, and the trained method (null for the MAP estimate).
     */
    record Row(String name, String sampler, int samples, Method method) {
        static final String ONE_SHOT = "one-shot";

        boolean oneShot() {
            return sampler.equals(ONE_SHOT);
        }
    }

    private final Path out;
    private final Profile profile;
    private final long seed;
    private final StageCache cache;

    public NavierStokesReproduction(Path out, Profile profile, long seed, boolean showProgress) {
        this.out = out;
        this.profile = profile;
        this.seed = seed;
        this.cache = new StageCache(out, showProgress);
    }

    public void run(NDManager manager) {
        long start = System.nanoTime();
        DatasetSpec spec = profile.data();
        cache.log("profile " + profile.name() + ", data: " + spec.toMap());
        Path dataDir = cache.data(manager, spec, "profile '" + profile.name() + "'");
        DatasetStore store = DatasetStore.open(dataDir);
        Map<Method, TrainedCheckpoints> trained = new LinkedHashMap<>();
        for (Method method : METHODS) {
            trained.put(method, train(manager, method, dataDir));
        }
        Path posterior = calibrated(manager, trained.get(Method.SMDP), dataDir);
        shipped(manager, trained.get(Method.SMDP), posterior);
        int n = Math.min(profile.observations(), store.spec().testSize());
        HostArray truth = store.testX0().rows(0, n);
        HostArray y = store.testY().rows(0, n);
        List<Row> rows = List.of(
                new Row("SMDP-ODE", "ode", 1, Method.SMDP),
                new Row("SMDP-SDE", "sde", profile.samples(), Method.SMDP),
                new Row("ResNet-S", Row.ONE_SHOT, 1, Method.RESNET_S),
                new Row("ResNet-P", Row.ONE_SHOT, 1, Method.RESNET_P),
                new Row("FNO-S", Row.ONE_SHOT, 1, Method.FNO_S),
                new Row("FNO-P", Row.ONE_SHOT, 1, Method.FNO_P),
                new Row("MAP", Problem.MAP, 1, null));
        Map<String, HostArray> predictions = new LinkedHashMap<>();
        List<Map<String, Object>> table = new ArrayList<>();
        for (Row row : rows) {
            Path ckpt = row.method() == null
                    ? null
                    : row.sampler().equals("sde") && posterior != null
                            ? posterior
                            : checkpoint(trained.get(row.method()), row);
            Prediction p = predict(manager, store, row, ckpt, y);
            predictions.put(row.name(), p.x0());
            Map<String, Object> entry = NavierStokesReport.entry(row, p.x0(), p.seconds() / n, truth, store.spec());
            entry.put(
                    "model", ckpt == null ? row.sampler() : out.relativize(ckpt).toString());
            table.add(entry);
            cache.log(String.format(
                    Locale.ROOT,
                    "%-9s mse %.4g  spectrum %.3f  x0_mse %.4g  %.3f s per observation",
                    row.name(),
                    entry.get("mse"),
                    entry.get("spectrum"),
                    entry.get("x0_mse"),
                    p.seconds() / n));
        }
        NavierStokesReport.writeTable(out, table, profile.name(), profile.data(), seed, n);
        NavierStokesReport.figures(out, truth, y, predictions);
        cache.log(String.format(Locale.ROOT, "done in %.1f s", (System.nanoTime() - start) / 1e9));
        cache.writeLog();
    }

    /**
     * {@code OUT/shipped/}: SMDP's two checkpoints in the form the library ships them ({@code smdp demo
     * --problem navier-stokes-2d}; copy both to {@code src/main/resources/models/} to ship them).
     * Skipped when a training selected no model (no finite validation).
     */
    private void shipped(NDManager manager, TrainedCheckpoints smdp, Path posterior) {
        for (Pretrained.Use use : new Pretrained.Use[] {Pretrained.Use.ESTIMATE, Pretrained.Use.POSTERIOR}) {
            Path source = use == Pretrained.Use.ESTIMATE ? smdp.best() : posterior;
            if (source == null || !Files.isRegularFile(source)) {
                cache.log("not shipped for " + use.sampler() + ": "
                        + (source == null ? "no calibrated model" : source + " does not exist"));
                continue;
            }
            TrainedCheckpoints.ship(
                    manager,
                    cache,
                    source,
                    use.fileName(NavierStokesProblem.NAME),
                    use,
                    "smdp reproduce --problem " + NavierStokesProblem.NAME + " --profile " + profile.name() + " --seed "
                            + seed + " (commit " + Version.commit() + "), " + out.relativize(source));
        }
    }

    /**
     * The SDE's candidates, SMDP's {@code best.ckpt} and {@code best-sde.ckpt}, each with the score
     * factors {@link #SDE_FACTORS}, tried with one sample each on all of the training's own
     * validation fields and observations (all 250 in the paper profile: the first 64 lacked the most
     * energetic fields, on which a factor of 1.0 blows up; {@link SdeCalibration});
     * {@code OUT/calibration/sde.ckpt}, or null when the training selected no model.
     */
    private Path calibrated(NDManager manager, TrainedCheckpoints smdp, Path dataDir) {
        List<Path> candidates = new ArrayList<>();
        for (Path c : new Path[] {smdp.best(), smdp.bestPosterior()}) {
            if (Files.isRegularFile(c)) {
                candidates.add(c);
            }
        }
        if (candidates.isEmpty()) {
            cache.log("sde calibration: skipped, the training selected no model");
            return null;
        }
        DatasetStore store = DatasetStore.open(dataDir);
        try (NDManager scope = manager.newSubManager()) {
            TrainingRun.Validation validation = TrainingRun.validation(
                    scope,
                    store.spec().problem().physics(scope, store.normalisation()),
                    store,
                    options(Method.SMDP, store.spec()));
            if (validation == null) {
                cache.log("sde calibration: skipped, the training held out no validation fields");
                return null;
            }
            return SdeCalibration.calibrate(
                    scope,
                    cache,
                    candidates,
                    validation,
                    new SdeCalibration.Settings(SDE_FACTORS, validation.x0().dim(0), 1, seed),
                    out.resolve("calibration").resolve("sde.ckpt"));
        }
    }

    /** The SDE's candidate score factors: the Tweedie factor of the one-step loss up to twice it. */
    static final List<Double> SDE_FACTORS = List.of(0.5, 0.625, 0.75, 0.875, 1.0);

    /** {@code method}'s training options: the problem's defaults with the profile's schedule. */
    private TrainingOptions options(Method method, DatasetSpec spec) {
        TrainingOptions defaults = TrainingOptions.defaults(method, spec, seed);
        String schedule = profile.schedules().get(method);
        return schedule == null ? defaults : defaults.withSchedule(WindowSchedule.parse(schedule));
    }

    /** Trains (or resumes, or reuses) {@code method}; returns its checkpoints. */
    private TrainedCheckpoints train(NDManager manager, Method method, Path dataDir) {
        DatasetSpec spec = DatasetStore.open(dataDir).spec();
        TrainingOptions options = options(method, spec);
        String dataHash = Hashing.sha256(dataDir.resolve(DatasetStore.TRAIN));
        Path dir = cache.runDir(
                method.id(),
                StageCache.runKey(options.toMap(), options.network().toMap(), dataHash));
        cache.train(
                manager,
                method.id(),
                dir,
                StageCache.isComplete(dir),
                () -> options,
                dataDir,
                InvalidInputException::new);
        return new TrainedCheckpoints(dir);
    }

    /**
     * The checkpoint a row samples with: best.ckpt (best-sde.ckpt for the {@code sde} sampler), or,
     * when no validation of the training was finite (so none was written), last.ckpt, said in the log.
     */
    private Path checkpoint(TrainedCheckpoints trained, Row row) {
        Path chosen = trained.forSampler(row.oneShot() ? null : row.sampler());
        if (Files.isRegularFile(chosen)) {
            return chosen;
        }
        cache.log(row.name() + ": no validation of the training was finite, so it selected no model; using "
                + TrainingRun.LAST);
        return trained.dir().resolve(TrainingRun.LAST);
    }

    /** Predictions {@code [n, K, N, N]} in physical units and the seconds they took (when made, not when cached). */
    record Prediction(HostArray x0, double seconds) {}

    private Prediction predict(NDManager manager, DatasetStore store, Row row, Path ckpt, HostArray y) {
        String modelKey = ckpt == null ? store.spec().toMap().toString() : Hashing.sha256(ckpt);
        String key = Hashing.sha256Hex(
                        (modelKey + "|" + row + "|" + y.dim(0) + "|" + seed).getBytes(StandardCharsets.UTF_8))
                .substring(0, 12);
        Path file = out.resolve("predictions").resolve(row.name() + "-" + key + ".npz");
        Map<String, HostArray> arrays = StageCache.arrays(file, () -> {
            Normalisation norm = store.normalisation();
            long t0 = System.nanoTime();
            try (NDManager scope = manager.newSubManager()) {
                HostArray x0 = norm.denormalise(reconstruct(scope, store, row, ckpt, norm.normalise(y)));
                Map<String, HostArray> made = new LinkedHashMap<>();
                made.put("x0", x0);
                made.put("seconds", new HostArray(new float[] {(float) ((System.nanoTime() - t0) / 1e9)}, 1));
                return made;
            }
        });
        return new Prediction(arrays.get("x0"), arrays.get("seconds").data()[0]);
    }

    /** A row's reconstructions {@code [n, K, N, N]} of normalised observations, normalised units. */
    private HostArray reconstruct(NDManager scope, DatasetStore store, Row row, Path ckpt, HostArray yn) {
        if (ckpt == null) {
            return store.spec()
                    .problem()
                    .mapEstimate(
                            scope,
                            store.spec(),
                            store.normalisation(),
                            yn,
                            MapEstimate.Settings.defaults().withIterations(profile.mapIterations()));
        }
        Reconstruction.Request request = Reconstruction.Request.of(
                row.oneShot() ? null : row.sampler(), store.spec().steps(), row.samples(), seed);
        return Reconstruction.run(
                        scope,
                        TrainableModel.load(scope, Checkpoint.read(ckpt)),
                        yn,
                        request,
                        Seeding.global(seed),
                        false,
                        null)
                .x0();
    }
}
