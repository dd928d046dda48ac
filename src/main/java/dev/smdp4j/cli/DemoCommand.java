package dev.smdp4j.cli;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.smdp4j.data.Dataset;
import dev.smdp4j.data.DatasetGenerator;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.eval.Evaluation;
import dev.smdp4j.eval.Metrics;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.Json;
import dev.smdp4j.pipeline.Pretrained;
import dev.smdp4j.pipeline.Reconstruction;
import dev.smdp4j.problem.Problem;
import dev.smdp4j.problem.Problems;
import dev.smdp4j.problem.ns.NavierStokesDemo;
import dev.smdp4j.problem.ns.NavierStokesProblem;
import dev.smdp4j.problem.toy.ToyDemo;
import dev.smdp4j.problem.toy.ToyEvaluation;
import dev.smdp4j.problem.toy.ToySde;
import dev.smdp4j.report.BenchmarkFigures;
import dev.smdp4j.train.CheckpointMetadata;
import dev.smdp4j.train.TrainableModel;
import dev.smdp4j.util.Engines;
import dev.smdp4j.util.Progress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code smdp demo}: the shipped SMDP model on freshly generated benchmark observations, with figures. */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Reconstruct benchmark observations with the shipped SMDP models (no training): the SMDP-ODE "
                    + "estimate and SMDP-SDE posterior samples for the first test observations of the paper's data set "
                    + "(regenerated from its seed), their metrics, and OUT/fig2.png and OUT/fig3.png.",
            "--problem toy-sde: the shipped toy models integrate back from the 1000 evaluation end states beside "
                    + "the exact score; OUT/table.md|csv|json, OUT/trajectories.png, OUT/histograms.png.",
            "--problem navier-stokes-2d: the shipped Navier-Stokes models on the first test observations of their "
                    + "protocol (ODE estimate, SDE samples, scored as in the reproduction); OUT/table.md|json, "
                    + "OUT/vorticity.png, OUT/spectra.png."
        })
final class DemoCommand implements Callable<Integer> {
    @Option(names = "--problem", paramLabel = "NAME", description = "heat (default), toy-sde or navier-stokes-2d.")
    String problem = "heat";

    @Option(
            names = "--out",
            paramLabel = "DIR",
            description = "Output directory (default: runs/demo, or " + "runs/demo-PROBLEM for another problem).")
    Path out;

    @Option(
            names = "--observations",
            description = "Test observations to reconstruct (default: 100; navier-stokes-2d: 16).")
    Integer observations;

    @Option(
            names = "--samples",
            description = "SDE samples per observation for the figure's posterior (default: 32; navier-stokes-2d: 4,"
                    + " for every observation).")
    Integer samples;

    @Option(names = "--seed", description = "Sampling seed (default: ${DEFAULT-VALUE}).")
    long seed = 0;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Override
    public Integer call() {
        boolean ns = problem.equals(NavierStokesProblem.NAME);
        int observations = this.observations != null ? this.observations : ns ? 16 : 100;
        int samples = this.samples != null ? this.samples : ns ? 4 : 32;
        if (observations < 1 || samples < 1) {
            throw new InvalidInputException("--observations and --samples must be >= 1");
        }
        long start = System.nanoTime();
        if (ns) {
            return navierStokes(observations, samples, start);
        }
        if (!problem.equals("heat")) {
            return otherProblem(start);
        }
        if (out == null) {
            out = Path.of("runs/demo");
        }
        try (NDManager manager = Engines.newManager()) {
            Checkpoint checkpoint = Checkpoint.read(Pretrained.checkpoint(Pretrained.Use.ESTIMATE));
            Checkpoint posteriorCheckpoint = Checkpoint.read(Pretrained.checkpoint(Pretrained.Use.POSTERIOR));
            TrainableModel model = TrainableModel.load(manager, checkpoint);
            TrainableModel posteriorModel = TrainableModel.load(manager, posteriorCheckpoint);
            Dataset data = DatasetGenerator.generate(manager, model.spec(), false);
            Normalisation norm = model.normalisation();
            int n = Math.min(observations, data.testX0().dim(0));
            HostArray truth = norm.normalise(data.testX0()).rows(0, n);
            HostArray y = norm.normalise(data.testY()).rows(0, n);
            int steps = model.spec().steps();
            Progress progress = new Progress("demo", 2L * n + 3L * samples, "samples", !quiet);
            HostArray ode = Reconstruction.run(
                            manager, model, y, Reconstruction.Request.of("ode", steps, 1, seed), progress)
                    .x0();
            HostArray sde = Reconstruction.run(
                            manager, posteriorModel, y, Reconstruction.Request.of("sde", steps, 1, seed), progress)
                    .x0();
            HostArray posterior = Reconstruction.run(
                            manager,
                            posteriorModel,
                            y.rows(0, Math.min(3, n)),
                            Reconstruction.Request.of("sde", steps, samples, seed),
                            progress)
                    .x0();
            progress.finish("");
            Files.createDirectories(out);
            Evaluation odeEval = Metrics.evaluate(
                    truth, ode, 0, 1, model.spec().alpha(), model.spec().endTime());
            Evaluation sdeEval = Metrics.evaluate(
                    truth, sde, 0, 1, model.spec().alpha(), model.spec().endTime());
            BenchmarkFigures.figure2(out.resolve("fig2.png"), truth, y, ode, posterior, 3);
            Map<String, double[]> spectra = new LinkedHashMap<>();
            spectra.put("SMDP-ODE", odeEval.predictionRadialSpectrum());
            spectra.put("SMDP-SDE", sdeEval.predictionRadialSpectrum());
            BenchmarkFigures.figure3(out.resolve("fig3.png"), odeEval.truthRadialSpectrum(), spectra);
            JsonNode shipped = CheckpointMetadata.of(checkpoint).provenance();
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("model_ode", Pretrained.Use.ESTIMATE.resource());
            summary.put("model_sde", Pretrained.Use.POSTERIOR.resource());
            summary.put("model_provenance", shipped);
            summary.put(
                    "model_sde_provenance",
                    CheckpointMetadata.of(posteriorCheckpoint).provenance());
            summary.put("observations", n);
            summary.put("ode_mse_1e5", odeEval.mse().mean() * 1e5);
            summary.put("ode_spectral_error", odeEval.spectralError().mean());
            summary.put("sde_mse_1e5", sdeEval.mse().mean() * 1e5);
            summary.put("sde_spectral_error", sdeEval.spectralError().mean());
            Json.write(out.resolve("demo.json"), summary);
            System.out.printf(
                    Locale.ROOT,
                    "shipped SMDP models (%s) on the first %d test observations of the paper's "
                            + "data set:%n  SMDP-ODE: MSE %.3f e-5, spectral error %.3f%n  SMDP-SDE: MSE %.3f e-5, spectral "
                            + "error %.3f%nwrote %s/fig2.png, fig3.png, demo.json in %.1f s%n",
                    shipped.path("trained_by").asText("see metadata"),
                    n,
                    odeEval.mse().mean() * 1e5,
                    odeEval.spectralError().mean(),
                    sdeEval.mse().mean() * 1e5,
                    sdeEval.spectralError().mean(),
                    out,
                    (System.nanoTime() - start) / 1e9);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return 0;
    }

    /** The Navier-Stokes demo ({@link NavierStokesDemo}). */
    private int navierStokes(int observations, int samples, long start) {
        Path dir = out != null ? out : Path.of("runs/demo-" + problem);
        try (NDManager manager =
                Engines.newManager(NavierStokesProblem.defaults().engineThreads())) {
            List<Map<String, Object>> table = NavierStokesDemo.run(manager, dir, observations, samples, seed, !quiet);
            System.out.printf(
                    Locale.ROOT,
                    "shipped Navier-Stokes SMDP models on the first %d test observations of their protocol:%n%s"
                            + "wrote %s/table.md, vorticity.png, spectra.png in %.1f s%n",
                    observations,
                    NavierStokesDemo.summary(table),
                    dir,
                    (System.nanoTime() - start) / 1e9);
        }
        return 0;
    }

    /** The demo of a problem other than heat and Navier-Stokes: only the toy SDE ships models. */
    private int otherProblem(long start) {
        Problem p = Problems.defaults(problem);
        if (!(p instanceof ToySde)) {
            throw new InvalidInputException("no demo for problem '" + problem + "' (it ships no model); demos: heat, "
                    + ToySde.NAME + ", " + NavierStokesProblem.NAME);
        }
        Path dir = out != null ? out : Path.of("runs/demo-" + problem);
        try (NDManager manager = Engines.newManager(p.engineThreads())) {
            List<Map<String, Object>> table = ToyDemo.run(manager, dir, seed);
            System.out.printf(
                    Locale.ROOT,
                    "shipped toy SMDP models from the %d end states linspace(-0.1, 0.1) at t = T, "
                            + "Q = 2 min(hits -1, hits +1):%n%swrote %s/table.md, trajectories.png, histograms.png in %.1f s%n",
                    ToyEvaluation.STARTS,
                    ToyDemo.summary(table),
                    dir,
                    (System.nanoTime() - start) / 1e9);
        }
        return 0;
    }
}
