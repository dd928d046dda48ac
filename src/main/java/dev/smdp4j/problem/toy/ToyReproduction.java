package dev.smdp4j.problem.toy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.smdp4j.Version;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.DatasetStore;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.AtomicFiles;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.Json;
import dev.smdp4j.io.Npz;
import dev.smdp4j.pipeline.Pretrained;
import dev.smdp4j.pipeline.StageCache;
import dev.smdp4j.report.ToyFigures;
import dev.smdp4j.sample.Sampler;
import dev.smdp4j.sample.Samplers;
import dev.smdp4j.score.ScoreModel;
import dev.smdp4j.sde.Diffusion;
import dev.smdp4j.sde.Sde;
import dev.smdp4j.sde.TimeGrid;
import dev.smdp4j.train.Method;
import dev.smdp4j.train.SmdpModel;
import dev.smdp4j.train.TrainableModel;
import dev.smdp4j.train.TrainingOptions;
import dev.smdp4j.train.TrainingRun;
import dev.smdp4j.util.EngineArrays;
import dev.smdp4j.util.Hashing;
import dev.smdp4j.util.ItemNoise;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code smdp reproduce --problem toy-sde}: the toy SDE's table and figures in one run. Generates
 * the data, trains SMDP and the two score-matching baselines (ISM, SSM-VR) on it, integrates back
 * from the 1000 evaluation end states {@code linspace(-0.1, 0.1, 1000)} at {@code t = T} with each
 * row's score and sampler (Euler steps of {@code T / 500 = 0.02}), and writes
 * {@code table.md/.csv/.json} (Q and the hit fractions at 1% and 10%), {@code trajectories.png},
 * {@code histograms.png} and {@code log.txt}. The exact score of the Fokker-Planck reference
 * ({@link ToyExactScore}) gives the reference rows.
 *
 * <p>Resumable, with the heat reproduction's {@link StageCache} (data, trainings, stage times in
 * {@code stages.json}, the log): trainings live in directories keyed by a hash of their options and
 * data, and resume from their last checkpoint; each row's samples are cached under a hash of the model's
 * content, the sampler, the steps and the seed.
 */
public final class ToyReproduction {
    /** The evaluation: end states and their number (the reference's). */
    public static final double START_LOW = -0.1;

    public static final double START_HIGH = 0.1;
    public static final int STARTS = 1000;
    /** Euler steps back from T = 10 (step 0.02, the reference's). */
    public static final int STEPS = 500;
    /** Paths drawn per panel of the trajectory figure. */
    static final int PATHS_SHOWN = 100;

    /** A row of the table: a model (a method's training, or the exact score) and a sampler. */
    public record Row(String name, String source, String sampler) {}

    /** The rows: each learned score with the reverse SDE and an ODE, and the exact score with all three samplers. */
    public static final List<Row> ROWS = List.of(
            new Row("SMDP-ODE", "smdp", "ode"),
            new Row("SMDP-SDE", "smdp", "sde"),
            new Row("ISM-ODE", "ism", "pf-ode"),
            new Row("ISM-SDE", "ism", "sde"),
            new Row("SSM-VR-ODE", "ssm-vr", "pf-ode"),
            new Row("SSM-VR-SDE", "ssm-vr", "sde"),
            new Row("exact-score pf-ode", "exact-score", "pf-ode"),
            new Row("exact-score ode", "exact-score", "ode"),
            new Row("exact-score sde", "exact-score", "sde"));

    private final Path out;
    private final long seed;
    private final DatasetSpec protocol;
    private final int steps;
    private final Map<Method, String> schedules;
    private final StageCache cache;

    /** The toy protocol with every method's default training. */
    public ToyReproduction(Path out, long seed, boolean showProgress) {
        this(out, seed, showProgress, ToySde.paper().defaultSpec(), STEPS, Map.of());
    }

    /**
     * Another data protocol, number of evaluation steps and (for the methods named) schedules: for
     * tests and quick looks; the defaults are the paper's.
     */
    public ToyReproduction(
            Path out, long seed, boolean showProgress, DatasetSpec protocol, int steps, Map<Method, String> schedules) {
        if (!(protocol.problem() instanceof ToySde)) {
            throw new InvalidInputException("the toy reproduction needs a toy-sde data protocol, got "
                    + protocol.problem().name());
        }
        this.out = out;
        this.seed = seed;
        this.protocol = protocol;
        this.steps = steps;
        this.schedules = Map.copyOf(schedules);
        this.cache = new StageCache(out, showProgress);
    }

    /** The training options of {@code method}: the defaults ({@link TrainingOptions#defaults}), with this run's schedule if given. */
    public TrainingOptions options(Method method, DatasetSpec spec) {
        TrainingOptions defaults = TrainingOptions.defaults(method, spec, seed);
        String schedule = schedules.get(method);
        return schedule == null ? defaults : defaults.withSchedule(dev.smdp4j.train.WindowSchedule.parse(schedule));
    }

    public void run(NDManager manager) {
        long start = System.nanoTime();
        DatasetSpec spec = protocol;
        log("data: " + spec.toMap());
        Path dataDir = cache.data(manager, spec, "the toy protocol");
        DatasetStore store = DatasetStore.open(dataDir);
        String dataHash = Hashing.sha256(dataDir.resolve(DatasetStore.TRAIN));
        Map<String, Trained> models = new LinkedHashMap<>();
        for (Method method : List.of(Method.SMDP, Method.ISM, Method.SSM_VR)) {
            models.put(method.id(), train(manager, dataDir, dataHash, options(method, store.spec())));
        }
        shipped(manager, models.get(Method.SMDP.id()));
        float[] startStates = starts();
        Map<String, float[]> ends = new LinkedHashMap<>();
        Map<String, double[][]> paths = new LinkedHashMap<>();
        List<Map<String, Object>> table = new ArrayList<>();
        for (Row row : ROWS) {
            Trained trained = models.get(row.source());
            Path ckpt = trained == null ? null : trained.forSampler(row.sampler());
            HostArray[] result = sample(manager, store, row, ckpt, startStates);
            ends.put(row.name(), result[0].data());
            paths.put(row.name(), finitePaths(result[1]));
            Map<String, Object> entry = entry(
                    row, ckpt == null ? row.source() : out.relativize(ckpt).toString(), result[0].data());
            table.add(entry);
            log(String.format(
                    Locale.ROOT,
                    "%-20s Q(1%%) %.3f  Q(10%%) %.3f",
                    row.name(),
                    entry.get("q_1pct"),
                    entry.get("q_10pct")));
        }
        writeTable(out, table, seed, steps);
        figures(
                out,
                spec.endTime(),
                steps,
                ends,
                paths,
                List.of("SMDP-ODE", "SMDP-SDE", "ISM-SDE", "exact-score sde"),
                store.trainX0().data());
        log(String.format(Locale.ROOT, "done in %.1f s", (System.nanoTime() - start) / 1e9));
        cache.writeLog();
    }

    /** A table row: the model, the sampler, the diverged paths, and Q and the hit fractions at 1% and 10%. */
    static Map<String, Object> entry(Row row, String model, float[] end) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("row", row.name());
        entry.put("model", model);
        entry.put("sampler", row.sampler());
        int diverged = 0;
        for (float v : end) {
            diverged += Float.isFinite(v) ? 0 : 1;
        }
        entry.put("diverged", diverged);
        for (double tol : new double[] {ModeHits.STRICT, ModeHits.LOOSE}) {
            ModeHits hits = ModeHits.of(end, tol);
            String suffix = tol == ModeHits.STRICT ? "1pct" : "10pct";
            entry.put("q_" + suffix, hits.q());
            entry.put("hit_minus_" + suffix, hits.minus());
            entry.put("hit_plus_" + suffix, hits.plus());
        }
        return entry;
    }

    /**
     * {@code trajectories.png} (the paths of the rows named in {@code shown}) and
     * {@code histograms.png} (every row's end states against {@code prior}, the true initial states).
     */
    static void figures(
            Path out,
            double endTime,
            int steps,
            Map<String, float[]> ends,
            Map<String, double[][]> paths,
            List<String> shown,
            float[] prior) {
        double[] times = new double[steps + 1];
        for (int i = 0; i <= steps; i++) {
            times[i] = endTime * i / steps;
        }
        Map<String, double[][]> drawn = new LinkedHashMap<>();
        for (String name : shown) {
            drawn.put(name, paths.get(name));
        }
        ToyFigures.trajectories(out.resolve("trajectories.png"), times, drawn, PATHS_SHOWN);
        Map<String, double[]> endStates = new LinkedHashMap<>();
        ends.forEach((name, v) -> endStates.put(name, finiteValues(v)));
        ToyFigures.endStateHistograms(out.resolve("histograms.png"), endStates, finiteValues(prior), 63);
    }

    /** The evaluation end states, {@code linspace(-0.1, 0.1, 1000)}. */
    public static float[] starts() {
        float[] y = new float[STARTS];
        for (int i = 0; i < STARTS; i++) {
            y[i] = (float) (START_LOW + (START_HIGH - START_LOW) * i / (STARTS - 1));
        }
        return y;
    }

    /**
     * {@code OUT/shipped/}: SMDP's two checkpoints in the form the library ships them ({@code smdp
     * demo --problem toy-sde}; copy both to {@code src/main/resources/models/} to ship them).
     */
    private void shipped(NDManager manager, Trained smdp) {
        for (Pretrained.Use use : new Pretrained.Use[] {Pretrained.Use.ESTIMATE, Pretrained.Use.POSTERIOR}) {
            Path source = use == Pretrained.Use.ESTIMATE ? smdp.best() : smdp.bestPosterior();
            Path target = out.resolve("shipped").resolve(use.fileName(ToySde.NAME));
            if (Pretrained.exportUnlessCurrent(
                    manager,
                    source,
                    target,
                    use,
                    "smdp reproduce --problem " + ToySde.NAME + " --seed " + seed + " (commit " + Version.commit()
                            + "), " + out.relativize(source))) {
                log("shipped form of " + source + " for " + use.sampler() + ": " + target);
            }
        }
    }

    /** A method's trained checkpoints: {@code best.ckpt} (by the ODE's validation error) and {@code best-sde.ckpt}. */
    private record Trained(Path best, Path bestPosterior) {
        /** ODE rows use the checkpoint chosen by the ODE's validation error, SDE rows the posterior one if written. */
        Path forSampler(String sampler) {
            return sampler.equals("sde") && Files.isRegularFile(bestPosterior) ? bestPosterior : best;
        }
    }

    /** Trains (or resumes, or reuses) one method; returns its best.ckpt and best-sde.ckpt. */
    private Trained train(NDManager manager, Path dataDir, String dataHash, TrainingOptions options) {
        String id = options.method().id();
        Path dir = cache.runDir(
                id, StageCache.runKey(options.toMap(), options.network().toMap(), dataHash));
        cache.train(manager, id, dir, StageCache.isComplete(dir), () -> options, dataDir, InvalidInputException::new);
        return new Trained(dir.resolve(TrainingRun.BEST), dir.resolve(TrainingRun.BEST_POSTERIOR));
    }

    /** The end states {@code [STARTS, 1]} and paths {@code [STARTS, steps + 1]} (time increasing) of a row, cached. */
    private HostArray[] sample(NDManager manager, DatasetStore store, Row row, Path ckpt, float[] startStates) {
        String modelKey = ckpt == null ? row.source() + store.spec().toMap() : Hashing.sha256(ckpt);
        String key = Hashing.sha256Hex((modelKey + "|" + row.sampler() + "|" + steps + "|" + seed + "|" + STARTS)
                        .getBytes(StandardCharsets.UTF_8))
                .substring(0, 12);
        Path file = out.resolve("samples").resolve(row.name().replace(' ', '_') + "-" + key + ".npz");
        if (Files.isRegularFile(file)) {
            Map<String, HostArray> cached = Npz.read(file);
            return new HostArray[] {cached.get("x0"), cached.get("paths")};
        }
        HostArray[] result =
                integrate(manager, store.spec(), store.normalisation(), row, ckpt, startStates, steps, seed);
        HostArray end = result[0];
        HostArray pathArray = result[1];
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, HostArray> arrays = new LinkedHashMap<>();
        arrays.put("x0", end);
        arrays.put("paths", pathArray);
        Npz.write(file, arrays);
        return new HostArray[] {end, pathArray};
    }

    /**
     * Integrates back from {@code startStates} at {@code t = T} to 0 with a row's score (the
     * checkpoint's, or the closed form the row names when {@code ckpt} is null) and sampler, in
     * {@code steps} Euler steps; diverging paths are carried on as non-finite values (a miss, not a
     * failed row). Returns the end states {@code [n, 1]} and the paths {@code [n, steps + 1]}, time
     * increasing.
     */
    public static HostArray[] integrate(
            NDManager manager,
            DatasetSpec spec,
            Normalisation norm,
            Row row,
            Path ckpt,
            float[] startStates,
            int steps,
            long seed) {
        int n = startStates.length;
        float[] paths = new float[n * (steps + 1)];
        try (NDManager scope = manager.newSubManager()) {
            ScoreModel score;
            Sde sde;
            Sde data = new Sde(spec.problem().physics(scope, norm), Diffusion.constant(spec.diffusion()));
            if (ckpt == null) {
                score = spec.problem().closedFormScore(scope, row.source(), spec, norm, 0.5);
                sde = data;
            } else {
                TrainableModel model = TrainableModel.load(scope, Checkpoint.read(ckpt));
                if (!(model instanceof SmdpModel reverse)) {
                    throw new InvalidInputException(ckpt + " is not a score model");
                }
                score = reverse.score();
                sde = reverse.reverseSde(data);
            }
            Sampler sampler = Samplers.create(row.sampler());
            NDArray xT = EngineArrays.of(scope, startStates, new Shape(n, 1));
            NDArray x0 = sampler.sample(
                    xT,
                    sde,
                    score,
                    TimeGrid.uniform(spec.endTime(), steps),
                    new ItemNoise(seed, 0, n),
                    (index, x) -> {
                        float[] v = x.toFloatArray();
                        for (int i = 0; i < n; i++) {
                            paths[i * (steps + 1) + index] = v[i];
                        }
                    },
                    false);
            return new HostArray[] {new HostArray(x0.toFloatArray(), n, 1), new HostArray(paths, n, steps + 1)};
        }
    }

    /** The paths {@code [n][len]} that stayed finite (diverged ones are counted in the table, not drawn). */
    static double[][] finitePaths(HostArray paths) {
        int n = paths.dim(0);
        int len = paths.dim(1);
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] p = new double[len];
            boolean finite = true;
            for (int j = 0; j < len; j++) {
                p[j] = paths.data()[i * len + j];
                finite &= Double.isFinite(p[j]);
            }
            if (finite) {
                out.add(p);
            }
        }
        return out.toArray(new double[0][]);
    }

    /** The finite values of {@code v}, widened. */
    private static double[] finiteValues(float[] v) {
        double[] d = new double[v.length];
        int k = 0;
        for (float x : v) {
            if (Float.isFinite(x)) {
                d[k++] = x;
            }
        }
        return java.util.Arrays.copyOf(d, k);
    }

    /** {@code table.md}, {@code table.csv} and {@code table.json} in {@code out}. */
    static void writeTable(Path out, List<Map<String, Object>> rows, long seed, int steps) {
        StringBuilder md = new StringBuilder();
        md.append("| row | sampler | Q (1%) | hits -1 / +1 (1%) | Q (10%) | hits -1 / +1 (10%) | diverged |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        StringBuilder csv = new StringBuilder("row,sampler,model,q_1pct,hit_minus_1pct,hit_plus_1pct,q_10pct,"
                + "hit_minus_10pct,hit_plus_10pct,diverged\n");
        for (Map<String, Object> r : rows) {
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %.3f | %.3f / %.3f | %.3f | %.3f / %.3f | %d |%n",
                    r.get("row"),
                    r.get("sampler"),
                    r.get("q_1pct"),
                    r.get("hit_minus_1pct"),
                    r.get("hit_plus_1pct"),
                    r.get("q_10pct"),
                    r.get("hit_minus_10pct"),
                    r.get("hit_plus_10pct"),
                    r.get("diverged")));
            csv.append(String.format(
                    Locale.ROOT,
                    "%s,%s,%s,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%d%n",
                    r.get("row"),
                    r.get("sampler"),
                    r.get("model"),
                    r.get("q_1pct"),
                    r.get("hit_minus_1pct"),
                    r.get("hit_plus_1pct"),
                    r.get("q_10pct"),
                    r.get("hit_minus_10pct"),
                    r.get("hit_plus_10pct"),
                    r.get("diverged")));
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("library", Version.label());
        doc.put("commit", Version.commit());
        doc.put("created", Instant.now().toString());
        doc.put("seed", seed);
        doc.put("starts", Map.of("low", START_LOW, "high", START_HIGH, "count", STARTS));
        doc.put("steps", steps);
        doc.put("rows", rows);
        try {
            AtomicFiles.writeString(out.resolve("table.md"), md.toString());
            AtomicFiles.writeString(out.resolve("table.csv"), csv.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Json.write(out.resolve("table.json"), doc);
    }

    private void log(String line) {
        cache.log(line);
    }
}
