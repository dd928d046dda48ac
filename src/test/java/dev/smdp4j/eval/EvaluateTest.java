package dev.smdp4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.physics.HeatKernel;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EvaluateTest {
    private static final int SAMPLES = 5;
    private static final int N = 24;
    private static final double MEAN = 0.3;
    private static final double STD = 2.5;
    private static final double ALPHA = 1.0;
    private static final double T = 0.2;

    /** Values on a 1/1024 grid, so that sums and halves of them are exact in float32. */
    private static HostArray grid(long seed, int... shape) {
        HostArray a = HostArray.zeros(shape);
        Random rng = new Random(seed);
        float[] d = a.data();
        for (int i = 0; i < d.length; i++) {
            d[i] = Math.round(rng.nextGaussian() * 1024) / 1024f;
        }
        return a;
    }

    private static HostArray truth() {
        return grid(1, SAMPLES, N, N);
    }

    private static HostArray pred() {
        return grid(2, SAMPLES, N, N);
    }

    /** Predictions [n, K, N, N] made of K copies of [n, N, N] predictions. */
    private static HostArray copies(HostArray pred, int k) {
        int cells = N * N;
        HostArray out = HostArray.zeros(SAMPLES, k, N, N);
        for (int i = 0; i < SAMPLES; i++) {
            for (int j = 0; j < k; j++) {
                System.arraycopy(pred.data(), i * cells, out.data(), (i * k + j) * cells, cells);
            }
        }
        return out;
    }

    private static double[] normalised(HostArray a, int offset) {
        double[] out = new double[N * N];
        for (int c = 0; c < out.length; c++) {
            out[c] = (a.data()[offset + c] - MEAN) / STD;
        }
        return out;
    }

    @Test
    void threeDimensionalPredictionsGiveThePerFieldMetricsInNormalisedUnits() {
        HostArray truth = truth();
        HostArray pred = pred();
        Evaluation e = Metrics.evaluate(truth, pred, MEAN, STD, ALPHA, T);
        double[][] heat = HeatKernel.circulant(N, ALPHA, T);
        double[] mse = new double[SAMPLES];
        double[] spectral = new double[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            double[] t = normalised(truth, i * N * N);
            double[] p = normalised(pred, i * N * N);
            mse[i] = Metrics.reconstructionMse(p, 0, t, 0, N, heat);
            spectral[i] = Metrics.spectralError(RadialSpectrum.of(p, 0, N), RadialSpectrum.of(t, 0, N), 1, 10);
        }
        assertEquals(SAMPLES, e.samples());
        assertEquals(1, e.predictionsPerSample());
        assertEquals(N, e.gridSize());
        assertEquals(1, e.firstRing());
        assertEquals(10, e.lastRing());
        assertArrayEquals(mse, e.msePerSample(), 0);
        assertArrayEquals(spectral, e.spectralErrorPerSample(), 0);
        Evaluation.Summary m = Evaluation.Summary.of(mse);
        assertEquals(m, e.mse());
        double mean = Arrays.stream(mse).average().orElseThrow();
        double sd =
                Math.sqrt(Arrays.stream(mse).map(v -> (v - mean) * (v - mean)).sum() / (SAMPLES - 1));
        assertEquals(mean, e.mse().mean(), 1e-15 * mean);
        assertEquals(sd / Math.sqrt(SAMPLES), e.mse().standardError(), 1e-12 * sd);
        // With K = 1 the sample mean is the prediction itself.
        assertEquals(e.mse(), e.sampleMeanMse());
        assertEquals(e.spectralError(), e.sampleMeanSpectralError());
        assertEquals(RadialSpectrum.maxRing(N) + 1, e.truthRadialSpectrum().length);
    }

    @Test
    void metricsAreInNormalisedUnits() {
        // MSE scales by 1/std^2 (the mean cancels in the difference); the spectral error ignores both.
        HostArray truth = truth();
        HostArray pred = pred();
        Evaluation normalised = Metrics.evaluate(truth, pred, MEAN, STD, ALPHA, T);
        Evaluation raw = Metrics.evaluate(truth, pred, 0, 1, ALPHA, T);
        assertEquals(
                raw.mse().mean() / (STD * STD),
                normalised.mse().mean(),
                1e-12 * normalised.mse().mean());
        assertEquals(raw.spectralError().mean(), normalised.spectralError().mean(), 1e-12);
        for (int q = 1; q < raw.truthRadialSpectrum().length; q++) {
            assertEquals(
                    raw.truthRadialSpectrum()[q] / STD,
                    normalised.truthRadialSpectrum()[q],
                    1e-12 * raw.truthRadialSpectrum()[q]);
        }
    }

    @Test
    void identicalCopiesGiveTheSameMetricsAsOnePrediction() {
        HostArray truth = truth();
        HostArray pred = pred();
        Evaluation one = Metrics.evaluate(truth, pred, MEAN, STD, ALPHA, T);
        for (int k : new int[] {1, 3, 4}) {
            Evaluation many = Metrics.evaluate(truth, copies(pred, k), MEAN, STD, ALPHA, T);
            assertEquals(k, many.predictionsPerSample());
            assertArrayEquals(
                    one.msePerSample(), many.msePerSample(), 1e-12 * one.mse().mean());
            assertArrayEquals(one.spectralErrorPerSample(), many.spectralErrorPerSample(), 1e-12);
            assertEquals(one.mse().mean(), many.mse().mean(), 1e-12 * one.mse().mean());
            assertEquals(one.spectralError().mean(), many.spectralError().mean(), 1e-12);
            assertEquals(
                    one.mse().mean(),
                    many.sampleMeanMse().mean(),
                    1e-12 * one.mse().mean());
            assertEquals(
                    one.spectralError().mean(), many.sampleMeanSpectralError().mean(), 1e-12);
            assertArrayEquals(one.predictionRadialSpectrum(), many.predictionRadialSpectrum(), 1e-9);
            assertArrayEquals(one.truthRadialSpectrum(), many.truthRadialSpectrum(), 0);
        }
    }

    @Test
    void sampleMeanMetricsScoreTheAverageOfTheKPredictions() {
        // Predictions p + d and p - d average to p exactly (all values on a 1/1024 grid).
        HostArray truth = truth();
        HostArray pred = pred();
        HostArray offset = grid(3, SAMPLES, N, N);
        HostArray pair = HostArray.zeros(SAMPLES, 2, N, N);
        int cells = N * N;
        for (int i = 0; i < SAMPLES; i++) {
            for (int c = 0; c < cells; c++) {
                float p = pred.data()[i * cells + c];
                float d = offset.data()[i * cells + c];
                pair.data()[(2 * i) * cells + c] = p + d;
                pair.data()[(2 * i + 1) * cells + c] = p - d;
            }
        }
        Evaluation single = Metrics.evaluate(truth, pred, MEAN, STD, ALPHA, T);
        Evaluation e = Metrics.evaluate(truth, pair, MEAN, STD, ALPHA, T);
        assertEquals(
                single.mse().mean(),
                e.sampleMeanMse().mean(),
                1e-12 * single.mse().mean());
        assertEquals(single.spectralError().mean(), e.sampleMeanSpectralError().mean(), 1e-12);
        // Averaging before the MSE removes the spread of the K predictions, so it can only help.
        assertTrue(e.sampleMeanMse().mean() < e.mse().mean());
    }

    @Test
    void resultsDoNotDependOnThreadScheduling() {
        HostArray truth = grid(4, 40, 16, 16);
        HostArray pred = grid(5, 40, 3, 16, 16);
        Evaluation first = Metrics.evaluate(truth, pred, MEAN, STD, ALPHA, T);
        for (int run = 0; run < 3; run++) {
            Evaluation again = Metrics.evaluate(truth, pred, MEAN, STD, ALPHA, T);
            assertEquals(first.mse(), again.mse());
            assertEquals(first.spectralError(), again.spectralError());
            assertEquals(first.sampleMeanMse(), again.sampleMeanMse());
            assertArrayEquals(first.predictionRadialSpectrum(), again.predictionRadialSpectrum(), 0);
            assertArrayEquals(first.truthRadialSpectrum(), again.truthRadialSpectrum(), 0);
        }
    }

    @Test
    void mismatchedShapesAreRejectedWithTheProblemNamed() {
        HostArray truth = truth();
        assertMessage("grid size N differs", truth, grid(6, SAMPLES, 16, 16));
        assertMessage("grid size N differs", truth, grid(6, SAMPLES, 2, 16, 16));
        assertMessage("number of test samples n differs", truth, grid(6, SAMPLES + 1, N, N));
        assertMessage("number of test samples n differs", truth, grid(6, SAMPLES - 1, 2, N, N));
        assertMessage("truth must hold square fields", grid(6, SAMPLES, N, N + 1), pred());
        assertMessage("pred fields must be square", truth, grid(6, SAMPLES, N, N / 2, 2));
        assertMessage("pred must have shape", truth, grid(6, SAMPLES * N * N));
        assertMessage("truth holds no test samples", HostArray.zeros(0, N, N), HostArray.zeros(0, N, N));
        assertMessage("K = 0", truth, HostArray.zeros(SAMPLES, 0, N, N));
    }

    @Test
    void nonFiniteInputIsRejectedWithArrayAndIndex() {
        HostArray truth = truth();
        HostArray pred = grid(7, SAMPLES, 2, N, N);
        pred.data()[((3 * 2 + 1) * N + 4) * N + 5] = Float.NaN;
        assertMessage("pred has a non-finite value (NaN) at index [3, 1, 4, 5]", truth, pred);
        HostArray badTruth = truth();
        badTruth.data()[(2 * N + 0) * N + 7] = Float.POSITIVE_INFINITY;
        assertMessage("truth has a non-finite value (Infinity) at index [2, 0, 7]", badTruth, pred());
    }

    @Test
    void badParametersAreRejected() {
        HostArray truth = truth();
        HostArray pred = pred();
        assertThrows(InvalidInputException.class, () -> Metrics.evaluate(truth, pred, MEAN, 0, ALPHA, T));
        assertThrows(InvalidInputException.class, () -> Metrics.evaluate(truth, pred, Double.NaN, STD, ALPHA, T));
        assertThrows(InvalidInputException.class, () -> Metrics.evaluate(truth, pred, MEAN, STD, -1, T));
        assertThrows(InvalidInputException.class, () -> Metrics.evaluate(truth, pred, MEAN, STD, ALPHA, -0.1));
        InvalidInputException e = assertThrows(
                InvalidInputException.class, () -> Metrics.evaluate(truth, pred, MEAN, STD, ALPHA, T, 1, 40));
        assertTrue(e.getMessage().contains("rings 1..40"), e.getMessage());
    }

    @Test
    void toMapHoldsEveryResultForJson() {
        Evaluation e = Metrics.evaluate(truth(), copies(pred(), 2), MEAN, STD, ALPHA, T);
        Map<String, Object> map = e.toMap();
        assertEquals(SAMPLES, map.get("samples"));
        assertEquals(2, map.get("predictions_per_sample"));
        assertEquals(List.of(1, 10), map.get("spectral_rings"));
        assertEquals(e.mse().mean(), ((Map<?, ?>) map.get("mse")).get("mean"));
        assertEquals(e.spectralError().standardError(), ((Map<?, ?>) map.get("spectral_error")).get("standard_error"));
        assertTrue(map.containsKey("sample_mean_mse"));
        assertTrue(map.containsKey("sample_mean_spectral_error"));
        assertEquals(SAMPLES, ((List<?>) map.get("mse_per_sample")).size());
        assertEquals(RadialSpectrum.maxRing(N) + 1, ((List<?>) map.get("prediction_radial_spectrum")).size());
    }

    private static void assertMessage(String expected, HostArray truth, HostArray pred) {
        InvalidInputException e =
                assertThrows(InvalidInputException.class, () -> Metrics.evaluate(truth, pred, MEAN, STD, ALPHA, T));
        assertTrue(e.getMessage().contains(expected), "message was: " + e.getMessage());
    }
}
