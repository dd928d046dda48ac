package dev.smdp4j.problem.toy;

import ai.djl.ndarray.NDManager;
import dev.smdp4j.Version;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.DatasetStore;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.pipeline.Pretrained;
import dev.smdp4j.pipeline.StageCache;
import dev.smdp4j.pipeline.TrainedCheckpoints;
import dev.smdp4j.problem.toy.ToyEvaluation.Row;
import dev.smdp4j.train.Method;
import dev.smdp4j.train.TrainingOptions;
import dev.smdp4j.train.WindowSchedule;
import dev.smdp4j.util.Hashing;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
 *
 * <p>This class orders the stages: {@link ToyEvaluation} integrates back and scores each row,
 * {@link ToyReport} writes the table and figures.
 */
public final class ToyReproduction {
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
        this(out, seed, showProgress, ToySde.paper().defaultSpec(), ToyEvaluation.STEPS, Map.of());
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
        return schedule == null ? defaults : defaults.withSchedule(WindowSchedule.parse(schedule));
    }

    public void run(NDManager manager) {
        long start = System.nanoTime();
        DatasetSpec spec = protocol;
        cache.log("data: " + spec.toMap());
        Path dataDir = cache.data(manager, spec, "the toy protocol");
        DatasetStore store = DatasetStore.open(dataDir);
        String dataHash = Hashing.sha256(dataDir.resolve(DatasetStore.TRAIN));
        Map<String, TrainedCheckpoints> models = new LinkedHashMap<>();
        for (Method method : List.of(Method.SMDP, Method.ISM, Method.SSM_VR)) {
            models.put(method.id(), train(manager, dataDir, dataHash, options(method, store.spec())));
        }
        shipped(manager, models.get(Method.SMDP.id()));
        float[] startStates = ToyEvaluation.starts();
        Map<String, float[]> ends = new LinkedHashMap<>();
        Map<String, double[][]> paths = new LinkedHashMap<>();
        List<Map<String, Object>> table = new ArrayList<>();
        for (Row row : ROWS) {
            TrainedCheckpoints trained = models.get(row.source());
            Path ckpt = trained == null ? null : trained.forSampler(row.sampler());
            HostArray[] result = sample(manager, store, row, ckpt, startStates);
            ends.put(row.name(), result[0].data());
            paths.put(row.name(), ToyEvaluation.finitePaths(result[1]));
            Map<String, Object> entry = ToyEvaluation.entry(
                    row, ckpt == null ? row.source() : out.relativize(ckpt).toString(), result[0].data());
            table.add(entry);
            cache.log(String.format(
                    Locale.ROOT,
                    "%-20s Q(1%%) %.3f  Q(10%%) %.3f",
                    row.name(),
                    entry.get("q_1pct"),
                    entry.get("q_10pct")));
        }
        ToyReport.writeTable(out, table, seed, steps);
        ToyReport.figures(
                out,
                spec.endTime(),
                steps,
                ends,
                paths,
                List.of("SMDP-ODE", "SMDP-SDE", "ISM-SDE", "exact-score sde"),
                store.trainX0().data());
        cache.log(String.format(Locale.ROOT, "done in %.1f s", (System.nanoTime() - start) / 1e9));
        cache.writeLog();
    }

    /**
     * {@code OUT/shipped/}: SMDP's two checkpoints in the form the library ships them ({@code smdp
     * demo --problem toy-sde}; copy both to {@code src/main/resources/models/} to ship them).
     */
    private void shipped(NDManager manager, TrainedCheckpoints smdp) {
        for (Pretrained.Use use : new Pretrained.Use[] {Pretrained.Use.ESTIMATE, Pretrained.Use.POSTERIOR}) {
            Path source = smdp.forSampler(use.sampler()); // what the table's row sampled
            TrainedCheckpoints.ship(
                    manager,
                    cache,
                    source,
                    use.fileName(ToySde.NAME),
                    use,
                    "smdp reproduce --problem " + ToySde.NAME + " --seed " + seed + " (commit " + Version.commit()
                            + "), " + out.relativize(source));
        }
    }

    /** Trains (or resumes, or reuses) one method; returns its best.ckpt and best-sde.ckpt. */
    private TrainedCheckpoints train(NDManager manager, Path dataDir, String dataHash, TrainingOptions options) {
        String id = options.method().id();
        Path dir = cache.runDir(
                id, StageCache.runKey(options.toMap(), options.network().toMap(), dataHash));
        cache.train(manager, id, dir, StageCache.isComplete(dir), () -> options, dataDir, InvalidInputException::new);
        return new TrainedCheckpoints(dir);
    }

    /** The end states {@code [STARTS, 1]} and paths {@code [STARTS, steps + 1]} (time increasing) of a row, cached. */
    private HostArray[] sample(NDManager manager, DatasetStore store, Row row, Path ckpt, float[] startStates) {
        String modelKey = ckpt == null ? row.source() + store.spec().toMap() : Hashing.sha256(ckpt);
        String key = Hashing.sha256Hex(
                        (modelKey + "|" + row.sampler() + "|" + steps + "|" + seed + "|" + ToyEvaluation.STARTS)
                                .getBytes(StandardCharsets.UTF_8))
                .substring(0, 12);
        Path file = out.resolve("samples").resolve(row.name().replace(' ', '_') + "-" + key + ".npz");
        Map<String, HostArray> arrays = StageCache.arrays(file, () -> {
            HostArray[] result = ToyEvaluation.integrate(
                    manager, store.spec(), store.normalisation(), row, ckpt, startStates, steps, seed);
            Map<String, HostArray> made = new LinkedHashMap<>();
            made.put("x0", result[0]);
            made.put("paths", result[1]);
            return made;
        });
        return new HostArray[] {arrays.get("x0"), arrays.get("paths")};
    }
}
