package dev.smdp4j.eval;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The metrics of one method on a test set (docs/BENCHMARK.md, section "Metrics"), in
 * normalised units. Produced by {@link Metrics#evaluate}.
 *
 * <p>Arrays are owned by the record and not copied; treat them as read-only.
 *
 * @param samples                 number of test samples n
 * @param predictionsPerSample    predictions per test sample K (1 in the paper's protocol)
 * @param gridSize                N
 * @param alpha                   diffusivity of the heat step H_T in the MSE
 * @param endTime                 time span T of H_T
 * @param firstRing               first ring of the spectral error (1 in docs/BENCHMARK.md)
 * @param lastRing                last ring of the spectral error (10 in docs/BENCHMARK.md)
 * @param mse                     reconstruction MSE, mean over all samples and all K predictions,
 *                                with its standard error over test samples
 * @param spectralError           spectral error, likewise
 * @param sampleMeanMse           MSE of the per-sample mean of the K predictions, over test samples
 * @param sampleMeanSpectralError spectral error of the per-sample mean of the K predictions
 * @param msePerSample            per test sample, the MSE averaged over its K predictions
 * @param spectralErrorPerSample  per test sample, the spectral error averaged over its K predictions
 * @param truthRadialSpectrum     R(r), r = 0..maxRing, averaged over the truth fields
 * @param predictionRadialSpectrum R(r), r = 0..maxRing, averaged over all n K prediction fields
 */
public record Evaluation(
        int samples,
        int predictionsPerSample,
        int gridSize,
        double alpha,
        double endTime,
        int firstRing,
        int lastRing,
        Summary mse,
        Summary spectralError,
        Summary sampleMeanMse,
        Summary sampleMeanSpectralError,
        double[] msePerSample,
        double[] spectralErrorPerSample,
        double[] truthRadialSpectrum,
        double[] predictionRadialSpectrum) {

    /**
     * A mean over test samples and its standard error, {@code sd / sqrt(n)} with the sample
     * standard deviation (n - 1 denominator); the standard error is NaN for a single sample.
     */
    public record Summary(double mean, double standardError) {
        /** Mean and standard error of {@code values}, summed in index order. */
        public static Summary of(double[] values) {
            int n = values.length;
            double sum = 0;
            for (double v : values) {
                sum += v;
            }
            double mean = sum / n;
            if (n < 2) {
                return new Summary(mean, Double.NaN);
            }
            double squares = 0;
            for (double v : values) {
                squares += (v - mean) * (v - mean);
            }
            return new Summary(mean, Math.sqrt(squares / (n - 1) / n));
        }

        Map<String, Object> toMap() {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("mean", mean);
            map.put("standard_error", standardError);
            return map;
        }
    }

    /**
     * A JSON-ready view (insertion-ordered, snake_case keys, lists for arrays). Non-finite numbers
     * (an infinite spectral error, the NaN standard error of one sample) are kept as they are.
     */
    public Map<String, Object> toMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("units", "normalised");
        map.put("samples", samples);
        map.put("predictions_per_sample", predictionsPerSample);
        map.put("grid_size", gridSize);
        map.put("alpha", alpha);
        map.put("T", endTime);
        map.put("spectral_rings", List.of(firstRing, lastRing));
        map.put("mse", mse.toMap());
        map.put("spectral_error", spectralError.toMap());
        map.put("sample_mean_mse", sampleMeanMse.toMap());
        map.put("sample_mean_spectral_error", sampleMeanSpectralError.toMap());
        map.put("mse_per_sample", list(msePerSample));
        map.put("spectral_error_per_sample", list(spectralErrorPerSample));
        map.put("truth_radial_spectrum", list(truthRadialSpectrum));
        map.put("prediction_radial_spectrum", list(predictionRadialSpectrum));
        return map;
    }

    private static List<Double> list(double[] values) {
        return Arrays.stream(values).boxed().collect(Collectors.toList());
    }
}
