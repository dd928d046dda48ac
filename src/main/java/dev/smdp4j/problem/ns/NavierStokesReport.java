package dev.smdp4j.problem.ns;

import dev.smdp4j.Version;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.eval.Calibration;
import dev.smdp4j.eval.EnergySpectrum;
import dev.smdp4j.io.AtomicFiles;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.Json;
import dev.smdp4j.problem.ns.NavierStokesReproduction.Row;
import dev.smdp4j.report.BenchmarkFigures;
import dev.smdp4j.report.Figures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The Navier-Stokes reproduction's table entries, table files and figures. */
final class NavierStokesReport {
    private NavierStokesReport() {}

    /**
     * A row's measures: the problem's metrics (physical units) over the finite samples, the samples
     * that left finite values ({@code diverged}, left out of the metrics), the spread-skill ratio for
     * K >= 2 over the observations whose samples all stayed finite, and the seconds per observation.
     *
     * @param x0 predictions {@code [n, K, N, N]}; @param truth {@code [n, N, N]}
     */
    static Map<String, Object> entry(
            Row row, HostArray x0, double secondsPerObservation, HostArray truth, DatasetSpec spec) {
        int n = x0.dim(0);
        int k = x0.dim(1);
        boolean[][] finite = new boolean[n][k];
        int diverged = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                HostArray one = x0.slice(i).slice(j);
                finite[i][j] = one.firstNonFinite() < 0;
                diverged += finite[i][j] ? 0 : 1;
            }
        }
        Map<String, Double> sums = new LinkedHashMap<>();
        int scored = 0;
        for (int j = 0; j < k; j++) {
            List<Integer> kept = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (finite[i][j]) {
                    kept.add(i);
                }
            }
            if (kept.isEmpty()) {
                continue;
            }
            int count = kept.size();
            spec.problem()
                    .metrics(pick(truth, kept), pick(x0.sliceSecondAxis(j), kept), spec)
                    .forEach((name, v) -> sums.merge(name, v * count, Double::sum));
            scored += count;
        }
        List<Integer> allFinite = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean all = true;
            for (boolean f : finite[i]) {
                all &= f;
            }
            if (all) {
                allFinite.add(i);
            }
        }
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("row", row.name());
        e.put("sampler", row.sampler());
        e.put("samples", k);
        for (String name : List.of("mse", "spectrum", "x0_mse")) {
            e.put(name, scored == 0 ? Double.NaN : sums.getOrDefault(name, Double.NaN) / scored);
        }
        e.put(
                "spread_skill",
                k >= 2 && !allFinite.isEmpty()
                        ? Calibration.spreadSkill(pick(truth, allFinite), pick(x0, allFinite))
                        : Double.NaN);
        e.put("diverged", diverged);
        e.put("seconds_per_observation", secondsPerObservation);
        return e;
    }

    /** The entries {@code indices} of {@code a} along its first axis. */
    private static HostArray pick(HostArray a, List<Integer> indices) {
        int stride = a.strideOfFirstAxis();
        float[] out = new float[indices.size() * stride];
        for (int j = 0; j < indices.size(); j++) {
            System.arraycopy(a.data(), indices.get(j) * stride, out, j * stride, stride);
        }
        int[] shape = a.shape().clone();
        shape[0] = indices.size();
        return new HostArray(out, shape);
    }

    /** The rows as a Markdown table (what {@code table.md} holds and the demo prints). */
    static String markdown(List<Map<String, Object>> rows) {
        StringBuilder md = new StringBuilder();
        md.append("| row | sampler | K | reconstruction MSE | spectrum error | x0 MSE | spread-skill | diverged"
                + " | s per observation |\n");
        md.append("|---|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> r : rows) {
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %d | %.4g | %.3f | %.4g | %s | %d | %.3f |%n",
                    r.get("row"),
                    r.get("sampler"),
                    (Integer) r.get("samples"),
                    (Double) r.get("mse"),
                    (Double) r.get("spectrum"),
                    (Double) r.get("x0_mse"),
                    Double.isNaN((Double) r.get("spread_skill"))
                            ? "-"
                            : String.format(Locale.ROOT, "%.2f", (Double) r.get("spread_skill")),
                    (Integer) r.get("diverged"),
                    (Double) r.get("seconds_per_observation")));
        }
        return md.toString();
    }

    /** {@code table.md} and {@code table.json}: the rows, and in the JSON what produced them ({@code run}: a profile's name or "demo"). */
    static void writeTable(
            Path out, List<Map<String, Object>> rows, String run, DatasetSpec data, long seed, int observations) {
        String md = markdown(rows);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("library", Version.label());
        doc.put("commit", Version.commit());
        doc.put("created", Instant.now().toString());
        doc.put("profile", run);
        doc.put("data", data.toMap());
        doc.put("seed", seed);
        doc.put("observations", observations);
        doc.put("rows", rows);
        try {
            AtomicFiles.writeString(out.resolve("table.md"), md.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Json.write(out.resolve("table.json"), doc);
    }

    /**
     * {@code vorticity.png}: truth, observation, the ODE estimate, three SDE samples and the
     * samples' mean and standard deviation for the first three observations (diverged ones empty);
     * {@code spectra.png}: the geometric-mean energy spectrum of the truth and of each row's finite
     * predictions.
     */
    static void figures(Path out, HostArray truth, HostArray y, Map<String, HostArray> predictions) {
        BenchmarkFigures.figure2(
                out.resolve("vorticity.png"),
                truth,
                y,
                predictions.get("SMDP-ODE"),
                predictions.get("SMDP-SDE"),
                Math.min(3, truth.dim(0)));
        int n = truth.dim(1);
        int rings = EnergySpectrum.lastRing(n);
        double[] radii = new double[rings];
        for (int r = 1; r <= rings; r++) {
            radii[r - 1] = r;
        }
        LinkedHashMap<String, double[]> curves = new LinkedHashMap<>();
        curves.put("ground truth", meanSpectrum(truth.data(), n, rings));
        predictions.forEach((name, x0) -> {
            double[] s = meanSpectrum(x0.data(), n, rings);
            if (Arrays.stream(s).allMatch(Double::isFinite)) {
                curves.put(name, s);
            }
        });
        Figures.radialSpectra(
                out.resolve("spectra.png"),
                radii,
                curves,
                "ground truth",
                "energy spectra of the initial vorticity (geometric mean over fields)");
    }

    /**
     * The geometric mean over the finite fields of {@code data} of the energy in rings {@code
     * 1..rings} (NaN if none is finite): the scale on which the spectrum error compares fields, so a
     * few samples with far too much energy do not hide what the typical sample looks like, as an
     * arithmetic mean would (energies are floored at {@code 1e-30} before the logarithm).
     */
    private static double[] meanSpectrum(float[] data, int n, int rings) {
        int fields = data.length / (n * n);
        double[] mean = new double[rings];
        int finite = 0;
        for (int i = 0; i < fields; i++) {
            double[] e = EnergySpectrum.of(data, i * n * n, n);
            if (!Arrays.stream(e).allMatch(Double::isFinite)) {
                continue;
            }
            finite++;
            for (int r = 1; r <= rings; r++) {
                mean[r - 1] += Math.log(Math.max(e[r], 1e-30));
            }
        }
        for (int r = 0; r < rings; r++) {
            mean[r] = finite == 0 ? Double.NaN : Math.exp(mean[r] / finite);
        }
        return mean;
    }
}
