package dev.smdp4j.cli;

import dev.smdp4j.data.DatasetStore;
import dev.smdp4j.data.FieldChecks;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.eval.Calibration;
import dev.smdp4j.eval.Evaluation;
import dev.smdp4j.eval.Metrics;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.Json;
import dev.smdp4j.io.Npz;
import dev.smdp4j.problem.HeatProblem;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code smdp evaluate}: the paper's two metrics of predictions against a test set. */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Reconstruction MSE and spectral error of predictions of x0, in normalised units (spec 'Metrics').",
            "Predictions: [n, K, N, N] (K samples per observation) or [n, N, N]; physical units, as the data files."
        })
final class EvaluateCommand implements Callable<Integer> {

    @Option(
            names = "--data",
            required = true,
            paramLabel = "FILE",
            description =
                    "Test set written by 'smdp generate' (DIR/test.npz); dataset.json beside it gives the normalisation and physics.")
    Path data;

    @Option(names = "--pred", required = true, paramLabel = "FILE", description = "Predictions (.npz).")
    Path pred;

    @Option(
            names = "--pred-key",
            paramLabel = "KEY",
            description = "Key of the predictions in --pred (default: ${DEFAULT-VALUE}).")
    String predKey = "x0";

    @Option(
            names = "--json",
            description = "Print the full result as JSON (with per-sample values and radial spectra).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        DatasetStore store = DatasetStore.besideFile(data);
        if (!(store.spec().problem() instanceof HeatProblem)) {
            return evaluateGeneric(store);
        }
        HostArray truth = Npz.read(data, "x0");
        int n = store.spec().gridSize();
        FieldChecks.requireFields(truth, data + " key 'x0'", -1, n);
        HostArray p = Npz.read(pred, predKey);
        FieldChecks.requireFinite(p, pred + " key '" + predKey + "'");
        if (p.rank() != 3 && p.rank() != 4) {
            throw new InvalidInputException(
                    pred + " key '" + predKey + "': expected shape [n, K, N, N] or [n, N, N], got " + p.shapeString());
        }
        Evaluation e;
        try {
            e = Metrics.evaluate(
                    truth,
                    p,
                    store.normalisation().mean(),
                    store.normalisation().std(),
                    store.spec().alpha(),
                    store.spec().endTime());
        } catch (InvalidInputException mismatch) {
            throw new InvalidInputException(pred + " vs " + data + ": " + mismatch.getMessage(), mismatch);
        }
        if (json) {
            System.out.println(Json.mapper().writeValueAsString(e.toMap()));
        } else {
            print(e);
        }
        return 0;
    }

    /** Any problem: its metrics ({@link dev.smdp4j.problem.Problem#metrics}) of every prediction, normalised units. */
    private int evaluateGeneric(DatasetStore store) throws Exception {
        int[] state = store.spec().problem().stateShape();
        HostArray truth = FieldChecks.requireStates(Npz.read(data, "x0"), data + " key 'x0'", -1, state);
        HostArray p = Npz.read(pred, predKey);
        FieldChecks.requireFinite(p, pred + " key '" + predKey + "'");
        int n = truth.dim(0);
        int size = truth.strideOfFirstAxis();
        if (p.size() % ((long) n * size) != 0 || p.dim(0) != n) {
            throw new InvalidInputException(pred + " key '" + predKey + "': expected " + n + " observations of "
                    + java.util.Arrays.toString(state) + " (shape [n, K, ...state] or [n, ...state]), got "
                    + p.shapeString());
        }
        int k = p.size() / (n * size);
        float[] repeated = new float[p.size()];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                System.arraycopy(truth.data(), i * size, repeated, (i * k + j) * size, size);
            }
        }
        Normalisation norm = store.normalisation();
        int[] flat = dev.smdp4j.util.Shapes.prepend(n * k, state);
        Map<String, Double> metrics = store.spec()
                .problem()
                .metrics(
                        norm.normalise(new HostArray(repeated, flat)),
                        norm.normalise(new HostArray(p.data(), flat)),
                        store.spec());
        if (k >= 2) {
            metrics = new LinkedHashMap<>(metrics);
            // the ratio does not depend on units
            metrics.put("spread_skill", Calibration.spreadSkill(truth, new HostArray(p.data(), n, k, size)));
        }
        if (json) {
            System.out.println(Json.mapper().writeValueAsString(metrics));
        } else {
            System.out.printf(
                    "%s vs %s: %d observations x %d predictions, problem %s, normalised units%n",
                    pred, data, n, k, store.spec().problem().name());
            metrics.forEach((name, value) -> System.out.printf("%-22s %16.6g%n", name, value));
        }
        return 0;
    }

    private void print(Evaluation e) {
        System.out.printf(
                "%s vs %s: %d observations x %d predictions, %dx%d, normalised units%n",
                pred, data, e.samples(), e.predictionsPerSample(), e.gridSize(), e.gridSize());
        System.out.printf("%-22s %28s %22s%n", "metric", "mean over predictions (+-se)", "of the sample mean");
        System.out.printf(
                "%-22s %16.4f +- %-8.4f %22.4f%n",
                "MSE [1e-5]",
                e.mse().mean() * 1e5,
                e.mse().standardError() * 1e5,
                e.sampleMeanMse().mean() * 1e5);
        System.out.printf(
                "%-22s %16.4f +- %-8.4f %22.4f%n",
                "spectral error",
                e.spectralError().mean(),
                e.spectralError().standardError(),
                e.sampleMeanSpectralError().mean());
    }
}
