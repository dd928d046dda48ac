package dev.smdp4j.report;

import dev.smdp4j.io.HostArray;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The paper's Figures 2 and 3 from benchmark arrays (normalised units), drawn by {@link Figures}. */
public final class BenchmarkFigures {
    private BenchmarkFigures() {}

    /**
     * Figure 2: for the first {@code rows} observations, the true {@code x0}, the observation, the
     * SMDP-ODE estimate, three SMDP-SDE samples and the per-pixel posterior mean and standard
     * deviation of all K SDE samples. A diverged (non-finite) estimate or sample is an empty cell, and
     * the mean and standard deviation are those of the finite samples.
     *
     * @param truth {@code [n, N, N]}; @param y {@code [n, N, N]}; @param ode {@code [n, 1, N, N]} or {@code [n, N, N]}
     * @param posterior SDE samples {@code [m, K, N, N]} for the first {@code m >= rows} observations
     */
    public static void figure2(Path png, HostArray truth, HostArray y, HostArray ode, HostArray posterior, int rows) {
        int n = truth.dim(1);
        int field = n * n;
        int count = Math.min(rows, Math.min(posterior.dim(0), truth.dim(0)));
        int k = posterior.dim(1);
        List<String> columns = List.of(
                "true x0",
                "observation y",
                "SMDP-ODE",
                "SDE sample 1",
                "SDE sample 2",
                "SDE sample 3",
                "mean of " + k + " SDE",
                "std of " + k + " SDE");
        double[][][][] fields = new double[count][columns.size()][][];
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            labels.add("test " + i);
            fields[i][0] = grid(truth.data(), i * field, n);
            fields[i][1] = grid(y.data(), i * field, n);
            fields[i][2] = grid(ode.data(), i * field, n);
            for (int s = 0; s < 3; s++) {
                fields[i][3 + s] = s < k ? grid(posterior.data(), (i * k + s) * field, n) : null;
            }
            double[][] mean = new double[n][n];
            double[][] square = new double[n][n];
            int finite = 0;
            for (int s = 0; s < k; s++) {
                double[][] f = grid(posterior.data(), (i * k + s) * field, n);
                if (f == null) {
                    continue;
                }
                finite++;
                for (int a = 0; a < n; a++) {
                    for (int b = 0; b < n; b++) {
                        mean[a][b] += f[a][b];
                        square[a][b] += f[a][b] * f[a][b];
                    }
                }
            }
            for (int a = 0; a < n; a++) {
                for (int b = 0; b < n; b++) {
                    mean[a][b] /= finite;
                    square[a][b] = Math.sqrt(Math.max(0, square[a][b] / finite - mean[a][b] * mean[a][b]));
                }
            }
            fields[i][6] = finite > 0 ? mean : null;
            fields[i][7] = finite > 0 ? square : null;
        }
        Figures.fieldGrid(png, labels, columns, fields, null);
    }

    /**
     * Figure 3: radial spectra {@code R(r), r = 0..maxRing} of the ground truth and of each method,
     * drawn for {@code r >= 1} on log axes, ground truth in red.
     */
    public static void figure3(Path png, double[] truthSpectrum, Map<String, double[]> methods) {
        int rings = truthSpectrum.length - 1;
        double[] radii = new double[rings];
        for (int r = 1; r <= rings; r++) {
            radii[r - 1] = r;
        }
        LinkedHashMap<String, double[]> curves = new LinkedHashMap<>();
        curves.put("ground truth", Arrays.copyOfRange(truthSpectrum, 1, rings + 1));
        methods.forEach((name, spectrum) -> curves.put(name, Arrays.copyOfRange(spectrum, 1, rings + 1)));
        Figures.radialSpectra(png, radii, curves, "ground truth", "radial spectrum of x0 (paper Figure 3)");
    }

    /** The field at {@code offset}, or null (an empty cell) if it holds a non-finite value (a diverged sample). */
    private static double[][] grid(float[] data, int offset, int n) {
        double[][] f = new double[n][n];
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                f[a][b] = data[offset + a * n + b];
                if (!Double.isFinite(f[a][b])) {
                    return null;
                }
            }
        }
        return f;
    }
}
