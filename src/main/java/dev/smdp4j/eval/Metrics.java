package dev.smdp4j.eval;

import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;

/**
 * The two metrics of the heat benchmark, per field, in double precision
 * (docs/BENCHMARK.md, section "Metrics"), and their evaluation over a test set.
 *
 * <p>Fields are {@code N x N}, stored row-major from an offset; the metrics are meant for
 * normalised units, which {@link #evaluate} takes care of.
 */
public final class Metrics {
    /** First ring of the spectral error in docs/BENCHMARK.md (ring 0, the mean, is excluded). */
    public static final int DEFAULT_FIRST_RING = 1;
    /** Last ring of the spectral error in docs/BENCHMARK.md. */
    public static final int DEFAULT_LAST_RING = 10;

    private Metrics() {}

    /**
     * Reconstruction MSE, {@code mean_pixels((H_T(pred) - H_T(truth))^2)} (docs/BENCHMARK.md, "Metrics"): the
     * prediction is diffused forward with the exact heat step and compared with the diffused truth.
     *
     * @param heatT {@code HeatKernel.circulant(n, alpha, T)}, the one-dimensional factor of {@code H_T}
     */
    public static double reconstructionMse(
            float[] pred, int predOffset, float[] truth, int truthOffset, int n, double[][] heatT) {
        return reconstructionMse(
                RadialSpectrum.asDoubles(pred, predOffset, n),
                0,
                RadialSpectrum.asDoubles(truth, truthOffset, n),
                0,
                n,
                heatT);
    }

    /** As {@link #reconstructionMse(float[], int, float[], int, int, double[][])}, for double fields. */
    public static double reconstructionMse(
            double[] pred, int predOffset, double[] truth, int truthOffset, int n, double[][] heatT) {
        checkBounds("pred", pred.length, predOffset, n);
        checkBounds("truth", truth.length, truthOffset, n);
        if (heatT.length != n) {
            throw new IllegalArgumentException(
                    "heat matrix is " + heatT.length + " x " + heatT.length + " but the fields are " + n + " x " + n);
        }
        // H_T is linear, so H_T(pred) - H_T(truth) = H_T(pred - truth): one application, no cancellation.
        double[] diff = new double[n * n];
        for (int i = 0; i < diff.length; i++) {
            diff[i] = pred[predOffset + i] - truth[truthOffset + i];
        }
        double[] diffused = separable(heatT, diff, n);
        double sum = 0;
        for (double d : diffused) {
            sum += d * d;
        }
        return sum / diff.length;
    }

    /**
     * Spectral error over the benchmark's rings 1..10 (docs/BENCHMARK.md, "Metrics"), or over rings
     * {@code 1..lastCompleteRing(n)} when the grid is too small for ring 10 to lie wholly inside
     * it (N below 21); see {@link #defaultLastRing}.
     */
    public static double spectralError(float[] pred, int predOffset, float[] truth, int truthOffset, int n) {
        return spectralError(pred, predOffset, truth, truthOffset, n, DEFAULT_FIRST_RING, defaultLastRing(n));
    }

    /**
     * Spectral error over rings {@code firstRing..lastRing}:
     * {@code mean_r |log R_truth(r) - log R_pred(r)|} (docs/BENCHMARK.md, "Metrics"; the benchmark's rings are 1..10).
     */
    public static double spectralError(
            float[] pred, int predOffset, float[] truth, int truthOffset, int n, int firstRing, int lastRing) {
        return spectralError(
                RadialSpectrum.of(pred, predOffset, n), RadialSpectrum.of(truth, truthOffset, n), firstRing, lastRing);
    }

    /**
     * Spectral error from two radial spectra ({@link RadialSpectrum#of}) over rings
     * {@code firstRing..lastRing}. A ring where both spectra are equal contributes 0 (also when
     * both are 0); a ring where exactly one is 0 makes the error infinite, as the log does.
     */
    public static double spectralError(double[] predSpectrum, double[] truthSpectrum, int firstRing, int lastRing) {
        if (predSpectrum.length != truthSpectrum.length) {
            throw new IllegalArgumentException(
                    "radial spectra of different lengths: " + predSpectrum.length + " and " + truthSpectrum.length);
        }
        checkRings(firstRing, lastRing, predSpectrum.length - 1);
        double sum = 0;
        for (int r = firstRing; r <= lastRing; r++) {
            double p = predSpectrum[r];
            double t = truthSpectrum[r];
            sum += p == t ? 0 : Math.abs(Math.log(t) - Math.log(p));
        }
        return sum / (lastRing - firstRing + 1);
    }

    /**
     * Last ring of the default spectral error: 10 as in docs/BENCHMARK.md, lowered to
     * {@link RadialSpectrum#lastCompleteRing} ({@code (n-1)/2}) on grids below N = 21, where ring 10
     * would hold only part of its cells (or none).
     */
    public static int defaultLastRing(int n) {
        return Math.min(DEFAULT_LAST_RING, RadialSpectrum.lastCompleteRing(n));
    }

    /**
     * Both metrics over a test set, in normalised units {@code (x - mean) / std} (docs/BENCHMARK.md, "Metrics",
     * "Normalisation"), with the default rings 1..10 ({@link #defaultLastRing}).
     *
     * @param truth clean initial states, shape {@code [n, N, N]}, in the units of {@code mean} and {@code std}
     * @param pred  predictions, {@code [n, K, N, N]} (K per test sample) or {@code [n, N, N]} (K = 1,
     *              the paper's protocol), in the same units
     * @param alpha diffusivity of the heat step {@code H_T}
     * @param T     time span of {@code H_T}
     * @throws InvalidInputException on mismatched or non-square shapes, non-finite values, or bad parameters
     */
    public static Evaluation evaluate(
            HostArray truth, HostArray pred, double mean, double std, double alpha, double T) {
        int n = truth.rank() == 3 ? truth.dim(2) : 0;
        int last = n > 0 ? defaultLastRing(n) : DEFAULT_LAST_RING;
        return evaluate(truth, pred, mean, std, alpha, T, DEFAULT_FIRST_RING, last);
    }

    /** As {@link #evaluate(HostArray, HostArray, double, double, double, double)}, with explicit rings. */
    public static Evaluation evaluate(
            HostArray truth,
            HostArray pred,
            double mean,
            double std,
            double alpha,
            double T,
            int firstRing,
            int lastRing) {
        return new TestSetEvaluator(truth, pred, mean, std, alpha, T, firstRing, lastRing).run();
    }

    static void checkRings(int firstRing, int lastRing, int maxRing) {
        if (firstRing < 0 || firstRing > lastRing || lastRing > maxRing) {
            throw new InvalidInputException("spectral error rings " + firstRing + ".." + lastRing
                    + " are not a range within 0.." + maxRing + " of this grid");
        }
    }

    /**
     * {@code A x A^T} for a double field: the same separable exact heat step as
     * {@code HeatKernel.apply}, which takes float input; kept in double so that the normalised
     * difference is not rounded to float32 before diffusion.
     */
    private static double[] separable(double[][] a, double[] x, int n) {
        double[] tmp = new double[n * n];
        for (int i = 0; i < n; i++) {
            double[] ai = a[i];
            for (int l = 0; l < n; l++) {
                double ail = ai[l];
                for (int j = 0; j < n; j++) {
                    tmp[i * n + j] += ail * x[l * n + j];
                }
            }
        }
        double[] out = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double[] aj = a[j];
                double s = 0;
                for (int l = 0; l < n; l++) {
                    s += tmp[i * n + l] * aj[l];
                }
                out[i * n + j] = s;
            }
        }
        return out;
    }

    private static void checkBounds(String name, int length, int offset, int n) {
        if (n < 1 || offset < 0 || (long) offset + (long) n * n > length) {
            throw new IllegalArgumentException(name + ": an " + n + " x " + n + " field at offset " + offset
                    + " does not fit in an array of length " + length);
        }
    }
}
