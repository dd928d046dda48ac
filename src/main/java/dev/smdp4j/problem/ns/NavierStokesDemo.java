package dev.smdp4j.problem.ns;

import ai.djl.ndarray.NDManager;
import dev.smdp4j.data.Dataset;
import dev.smdp4j.data.DatasetGenerator;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.io.AtomicFiles;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.pipeline.Pretrained;
import dev.smdp4j.pipeline.Reconstruction;
import dev.smdp4j.sample.Seeding;
import dev.smdp4j.train.TrainableModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code smdp demo --problem navier-stokes-2d}: the shipped Navier-Stokes SMDP models (no training)
 * on the first test observations of their data protocol, regenerated from its seed: the
 * {@code ode} estimate and {@code sde} posterior samples, scored as in the reproduction
 * ({@link NavierStokesReport#entry}); writes {@code table.md/.json}, {@code vorticity.png} and
 * {@code spectra.png}.
 */
public final class NavierStokesDemo {
    private NavierStokesDemo() {}

    /** Runs the demo into {@code out}; returns the table's rows. */
    public static List<Map<String, Object>> run(
            NDManager manager, Path out, int observations, int samples, long seed, boolean showProgress) {
        if (observations < 1 || samples < 1) {
            throw new InvalidInputException("the Navier-Stokes demo needs at least 1 observation and 1 sample, got "
                    + observations + " and " + samples);
        }
        AtomicFiles.createDirectories(out);
        Path estimate = Pretrained.checkpoint(NavierStokesProblem.NAME, Pretrained.Use.ESTIMATE);
        Path posterior = Pretrained.checkpoint(NavierStokesProblem.NAME, Pretrained.Use.POSTERIOR);
        List<NavierStokesReproduction.Row> rows = List.of(
                new NavierStokesReproduction.Row("SMDP-ODE", "ode", 1, null),
                new NavierStokesReproduction.Row("SMDP-SDE", "sde", samples, null));
        Map<String, HostArray> predictions = new LinkedHashMap<>();
        List<Map<String, Object>> table = new ArrayList<>();
        HostArray truth = null;
        HostArray y = null;
        DatasetSpec spec = null;
        for (NavierStokesReproduction.Row row : rows) {
            Path file = row.sampler().equals("sde") ? posterior : estimate;
            try (NDManager scope = manager.newSubManager()) {
                TrainableModel model = TrainableModel.load(scope, Checkpoint.read(file));
                if (!(model.spec().problem() instanceof NavierStokesProblem)) {
                    throw new InvalidInputException(file + " is not a model of " + NavierStokesProblem.NAME);
                }
                if (spec == null) {
                    spec = model.spec();
                    Dataset data = DatasetGenerator.generate(scope, spec, false);
                    int n = Math.min(observations, data.testX0().dim(0));
                    truth = data.testX0().rows(0, n);
                    y = data.testY().rows(0, n);
                }
                long t0 = System.nanoTime();
                HostArray x0 = Reconstruction.run(
                                scope,
                                model,
                                y,
                                Reconstruction.Request.of(row.sampler(), spec.steps(), row.samples(), seed),
                                Seeding.global(seed),
                                false,
                                null)
                        .x0();
                double seconds = (System.nanoTime() - t0) / 1e9;
                predictions.put(row.name(), x0);
                Map<String, Object> entry = NavierStokesReport.entry(row, x0, seconds / y.dim(0), truth, spec);
                entry.put(
                        "model",
                        "shipped " + Pretrained.Use.forSampler(row.sampler()).fileName(NavierStokesProblem.NAME));
                table.add(entry);
                if (showProgress) {
                    System.err.printf(Locale.ROOT, "%s: %.1f s%n", row.name(), seconds);
                }
            }
        }
        NavierStokesReport.writeTable(out, table, "demo", spec, seed, y.dim(0));
        NavierStokesReport.figures(out, truth, y, predictions);
        return table;
    }

    /** The rows as a Markdown table, for the terminal. */
    public static String summary(List<Map<String, Object>> table) {
        return NavierStokesReport.markdown(table);
    }
}
