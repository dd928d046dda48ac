package dev.smdp4j.eval;

import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;

/**
 * Whether a sampler's posterior spread matches its error: the spread-skill ratio of {@code K >= 2}
 * samples per observation, on the host in double precision.
 *
 * <p>With {@code s^2} the unbiased variance of the samples around their mean (averaged over values and
 * observations) and {@code e^2} the mean squared error of that sample mean against the truth, the
 * ratio is {@code sqrt((1 + 1/K) s^2 / e^2)}. If the truth and the samples are draws of the same
 * distribution (a calibrated posterior), {@code E e^2 = (1 + 1/K) E s^2} and the ratio is 1; below 1
 * the samples are overconfident (their spread understates the error), above 1 underconfident.
 */
public final class Calibration {
    private Calibration() {}

    /**
     * The spread-skill ratio of samples {@code [n, K, ...]} ({@code K >= 2}) against the true values
     * {@code [n, ...]} of the same size per observation.
     */
    public static double spreadSkill(HostArray truth, HostArray samples) {
        int n = truth.dim(0);
        int size = truth.size() / Math.max(n, 1);
        if (n == 0 || samples.dim(0) != n || samples.size() % ((long) n * size) != 0) {
            throw new InvalidInputException("calibration needs samples [n, K, ...] for truth [n, ...], got "
                    + samples.shapeString() + " for " + truth.shapeString());
        }
        int k = samples.size() / (n * size);
        if (k < 2) {
            throw new InvalidInputException("calibration needs at least 2 samples per observation, got " + k);
        }
        float[] t = truth.data();
        float[] x = samples.data();
        double spread = 0;
        double error = 0;
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < size; p++) {
                double mean = 0;
                for (int j = 0; j < k; j++) {
                    mean += x[(i * k + j) * size + p];
                }
                mean /= k;
                double var = 0;
                for (int j = 0; j < k; j++) {
                    double d = x[(i * k + j) * size + p] - mean;
                    var += d * d;
                }
                spread += var / (k - 1);
                double e = mean - t[i * size + p];
                error += e * e;
            }
        }
        return Math.sqrt((1 + 1.0 / k) * spread / error);
    }
}
