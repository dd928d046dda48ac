package dev.smdp4j.problem.toy;

import ai.djl.ndarray.NDManager;
import dev.smdp4j.data.Dataset;
import dev.smdp4j.data.DatasetGenerator;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.AtomicFiles;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.pipeline.Pretrained;
import dev.smdp4j.train.TrainableModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code smdp demo --problem toy-sde}: the shipped toy SMDP models (no training) integrate back
 * from the 1000 evaluation end states {@code linspace(-0.1, 0.1, 1000)} as in the toy
 * reproduction, beside the exact score of the Fokker-Planck reference; writes
 * {@code table.md/.csv/.json}, {@code trajectories.png} and {@code histograms.png}.
 */
public final class ToyDemo {
    /** The rows: the shipped estimate model with {@code ode}, the shipped posterior model with {@code sde}, the exact score. */
    static final List<ToyEvaluation.Row> ROWS = List.of(
            new ToyEvaluation.Row("SMDP-ODE", "smdp", "ode"),
            new ToyEvaluation.Row("SMDP-SDE", "smdp", "sde"),
            new ToyEvaluation.Row("exact-score sde", "exact-score", "sde"));

    private ToyDemo() {}

    /** Runs the demo into {@code out}; returns the table's rows (Q and hits at 1% and 10% per row). */
    public static List<Map<String, Object>> run(NDManager manager, Path out, long seed) {
        AtomicFiles.createDirectories(out);
        Path estimate = Pretrained.checkpoint(ToySde.NAME, Pretrained.Use.ESTIMATE);
        Path posterior = Pretrained.checkpoint(ToySde.NAME, Pretrained.Use.POSTERIOR);
        DatasetSpec spec;
        Normalisation norm;
        try (NDManager scope = manager.newSubManager()) {
            TrainableModel model = TrainableModel.load(scope, Checkpoint.read(estimate));
            spec = model.spec();
            norm = model.normalisation();
        }
        if (!(spec.problem() instanceof ToySde)) {
            throw new InvalidInputException(estimate + " is not a model of the toy SDE");
        }
        float[] starts = ToyEvaluation.starts();
        Map<String, float[]> ends = new LinkedHashMap<>();
        Map<String, double[][]> paths = new LinkedHashMap<>();
        List<Map<String, Object>> table = new ArrayList<>();
        for (ToyEvaluation.Row row : ROWS) {
            Path ckpt = row.source().equals("smdp") ? (row.sampler().equals("sde") ? posterior : estimate) : null;
            HostArray[] result =
                    ToyEvaluation.integrate(manager, spec, norm, row, ckpt, starts, ToyEvaluation.STEPS, seed);
            ends.put(row.name(), result[0].data());
            paths.put(row.name(), ToyEvaluation.finitePaths(result[1]));
            table.add(ToyEvaluation.entry(
                    row,
                    ckpt == null
                            ? row.source()
                            : "shipped "
                                    + Pretrained.Use.forSampler(row.sampler()).fileName(ToySde.NAME),
                    result[0].data()));
        }
        ToyReport.writeTable(out, table, seed, ToyEvaluation.STEPS);
        Dataset data = DatasetGenerator.generate(manager, spec, false);
        ToyReport.figures(
                out,
                spec.endTime(),
                ToyEvaluation.STEPS,
                ends,
                paths,
                ROWS.stream().map(ToyEvaluation.Row::name).toList(),
                data.trainX0().data());
        return table;
    }

    /** One line per row, for the terminal. */
    public static String summary(List<Map<String, Object>> table) {
        StringBuilder s = new StringBuilder();
        for (Map<String, Object> r : table) {
            s.append(String.format(
                    Locale.ROOT,
                    "  %-16s %-4s Q(1%%) %.3f  Q(10%%) %.3f  (hits -1/+1 at 10%%: %.3f / %.3f, " + "diverged %d)%n",
                    r.get("row"),
                    r.get("sampler"),
                    r.get("q_1pct"),
                    r.get("q_10pct"),
                    r.get("hit_minus_10pct"),
                    r.get("hit_plus_10pct"),
                    r.get("diverged")));
        }
        return s.toString();
    }
}
