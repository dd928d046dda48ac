package dev.smdp4j.problem.ns;

import ai.djl.ndarray.NDManager;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.DatasetStore;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.pipeline.Reconstruction;
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
 * in one run. Generates the profile's data, trains SMDP through the solver, reconstructs the first
 * test observations with SMDP's {@code ode} sampler (one estimate), its {@code sde} sampler (K
 * posterior samples) and the MAP estimate through the solver, scores every row with the problem's
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
     * @param schedule SMDP's schedule, or null for the default ({@link TrainingOptions#defaults})
     * @param samples SDE samples per observation
     * @param observations test observations reconstructed (the first ones)
     * @param mapIterations the most L-BFGS iterations of the MAP estimate (each runs the solver
     *     forward and back over T)
     */
    public record Profile(
            String name, DatasetSpec data, String schedule, int samples, int observations, int mapIterations) {
        public Profile {
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
         * {@code quick}: 320 / 16 fields, SMDP's windows 1, 2 and 4 only, 4 samples of 16 observations,
         * MAP with at most 20 iterations (a first look, not a result); {@code paper}: the default
         * protocol (2500 / 500 fields), SMDP's default schedule, 8 samples of the first 100 test
         * observations, MAP with at most 100 iterations.
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
                            "1:3:32:1e-3:1e-3,2:2:32:3e-4:3e-4,4:2:32:3e-4:3e-4",
                            4,
                            16,
                            20);
                case "paper" -> new Profile("paper", full, null, 8, 100, 100);
                default -> throw new InvalidInputException("unknown profile '" + name + "'; valid: quick, paper");
            };
        }
    }

    /** A row of the table: its name, the sampler or closed form, and the samples per observation. */
    record Row(String name, String sampler, int samples) {}

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
        TrainedCheckpoints smdp = train(manager, dataDir, store);
        int n = Math.min(profile.observations(), store.spec().testSize());
        HostArray truth = store.testX0().rows(0, n);
        HostArray y = store.testY().rows(0, n);
        List<Row> rows = List.of(
                new Row("SMDP-ODE", "ode", 1),
                new Row("SMDP-SDE", "sde", profile.samples()),
                new Row("MAP", Problem.MAP, 1));
        Map<String, HostArray> predictions = new LinkedHashMap<>();
        List<Map<String, Object>> table = new ArrayList<>();
        for (Row row : rows) {
            Path ckpt = row.name().equals("MAP") ? null : checkpoint(smdp, row);
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
        NavierStokesReport.writeTable(out, table, profile, seed, n);
        NavierStokesReport.figures(out, truth, y, predictions);
        cache.log(String.format(Locale.ROOT, "done in %.1f s", (System.nanoTime() - start) / 1e9));
        cache.writeLog();
    }

    /** Trains (or resumes, or reuses) SMDP; returns its best.ckpt and best-sde.ckpt. */
    private TrainedCheckpoints train(NDManager manager, Path dataDir, DatasetStore store) {
        TrainingOptions defaults = TrainingOptions.defaults(Method.SMDP, store.spec(), seed);
        TrainingOptions options =
                profile.schedule() == null ? defaults : defaults.withSchedule(WindowSchedule.parse(profile.schedule()));
        String dataHash = Hashing.sha256(dataDir.resolve(DatasetStore.TRAIN));
        Path dir = cache.runDir(
                "smdp", StageCache.runKey(options.toMap(), options.network().toMap(), dataHash));
        cache.train(
                manager, "smdp", dir, StageCache.isComplete(dir), () -> options, dataDir, InvalidInputException::new);
        return new TrainedCheckpoints(dir);
    }

    /**
     * The checkpoint a row samples with: best.ckpt or best-sde.ckpt, or, when no validation of the
     * training was finite (so neither was written), last.ckpt, said in the log.
     */
    private Path checkpoint(TrainedCheckpoints smdp, Row row) {
        Path chosen = smdp.forSampler(row.sampler());
        if (Files.isRegularFile(chosen)) {
            return chosen;
        }
        cache.log(row.name() + ": no validation of the training was finite, so it selected no model; using "
                + TrainingRun.LAST);
        return smdp.dir().resolve(TrainingRun.LAST);
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
        Reconstruction.Request request =
                Reconstruction.Request.of(row.sampler(), store.spec().steps(), row.samples(), seed);
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
