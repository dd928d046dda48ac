package dev.smdp4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.physics.HeatKernel;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MetricsTest {
    private static final int N = 32;
    private static final double[][] HEAT = HeatKernel.circulant(N, 1.0, 0.2);

    static double[] gaussian(int cells, long seed) {
        Random rng = new Random(seed);
        double[] x = new double[cells];
        for (int i = 0; i < cells; i++) {
            x[i] = rng.nextGaussian();
        }
        return x;
    }

    static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = (float) x[i];
        }
        return f;
    }

    @Test
    void predictionEqualToTruthScoresZero() {
        float[] truth = toFloat(gaussian(N * N, 1));
        float[] pred = truth.clone();
        assertEquals(0.0, Metrics.reconstructionMse(pred, 0, truth, 0, N, HEAT));
        assertEquals(0.0, Metrics.spectralError(pred, 0, truth, 0, N));
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.5, 2.0, 4.0, 0.125})
    void exactlyScaledFloatPredictionHasSpectralErrorLogC(double c) {
        // Powers of two scale float32 values exactly, so the float path sees exactly c * truth.
        double[] truth = gaussian(N * N, 2);
        double[] pred = new double[truth.length];
        for (int i = 0; i < truth.length; i++) {
            pred[i] = c * (float) truth[i];
        }
        assertEquals(Math.abs(Math.log(c)), Metrics.spectralError(toFloat(pred), 0, toFloat(truth), 0, N), 1e-9);
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.3, 0.9, 1.1, 3.7, 12.0})
    void scaledPredictionHasSpectralErrorLogCAndScaledMse(double c) {
        double[] truth = gaussian(N * N, 3);
        double[] pred = new double[truth.length];
        for (int i = 0; i < truth.length; i++) {
            pred[i] = c * truth[i];
        }
        double spectral = Metrics.spectralError(
                RadialSpectrum.of(pred, 0, N),
                RadialSpectrum.of(truth, 0, N),
                Metrics.DEFAULT_FIRST_RING,
                Metrics.DEFAULT_LAST_RING);
        assertEquals(Math.abs(Math.log(c)), spectral, 1e-9);

        double mseZero = Metrics.reconstructionMse(new double[truth.length], 0, truth, 0, N, HEAT);
        double mse = Metrics.reconstructionMse(pred, 0, truth, 0, N, HEAT);
        assertEquals((c - 1) * (c - 1) * mseZero, mse, 1e-12 * mse);
    }

    @ParameterizedTest(name = "k=({0},{1}), alpha={2}, T={3}")
    @CsvSource({"1,0,1.0,0.2", "0,2,1.0,0.2", "1,2,1.0,0.2", "3,4,1.0,0.2", "-2,5,0.5,0.1", "7,1,1.0,0.01"})
    void mseOfOneFourierModeDecaysWithTheHeatKernel(int kx, int ky, double alpha, double t) {
        double[] mode = RadialSpectrumTest.cosineMode(N, kx, ky);
        double[] zero = new double[N * N];
        double undiffused = Metrics.reconstructionMse(mode, 0, zero, 0, N, HeatKernel.circulant(N, alpha, 0));
        double diffused = Metrics.reconstructionMse(mode, 0, zero, 0, N, HeatKernel.circulant(N, alpha, t));
        assertEquals(0.5, undiffused, 1e-12); // mean of cos^2
        double k2 = kx * kx + ky * ky;
        assertEquals(Math.exp(-2 * alpha * k2 * t), diffused / undiffused, 1e-9 * Math.exp(-2 * alpha * k2 * t));
    }

    @Test
    void floatMseEqualsDiffusingBothFieldsSeparately() {
        // Independent of the linearity shortcut: H_T applied to each field with HeatKernel.apply.
        float[] data = toFloat(gaussian(3 * N * N, 4));
        double[] hp = HeatKernel.apply(HEAT, data, N * N, N);
        double[] ht = HeatKernel.apply(HEAT, data, 2 * N * N, N);
        double expected = 0;
        for (int i = 0; i < hp.length; i++) {
            expected += (hp[i] - ht[i]) * (hp[i] - ht[i]);
        }
        expected /= hp.length;
        assertEquals(expected, Metrics.reconstructionMse(data, N * N, data, 2 * N * N, N, HEAT), 1e-12 * expected);
    }

    @Test
    void spectralErrorAveragesTheChosenRings() {
        double[] p = {9, 1, Math.E, 1, 5};
        double[] t = {1, 1, 1, Math.exp(3), 5};
        assertEquals(0.0, Metrics.spectralError(p, t, 1, 1));
        assertEquals((1 + 3 + 0) / 3.0, Metrics.spectralError(p, t, 2, 4), 1e-15);
        assertEquals((Math.log(9) + 0 + 1 + 3 + 0) / 5.0, Metrics.spectralError(p, t, 0, 4), 1e-15);
        assertTrue(Double.isInfinite(Metrics.spectralError(new double[] {1, 0}, new double[] {1, 2}, 1, 1)));
        assertEquals(0.0, Metrics.spectralError(new double[] {1, 0}, new double[] {1, 0}, 1, 1));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Metrics.spectralError(p, t, 1, 5));
        assertTrue(e.getMessage().contains("1..5"), e.getMessage());
        assertThrows(InvalidInputException.class, () -> Metrics.spectralError(p, t, 3, 2));
        assertThrows(InvalidInputException.class, () -> Metrics.spectralError(p, t, -1, 2));
    }

    @Test
    void defaultRingsAreOneToTenWhileRingTenIsComplete() {
        assertEquals(10, Metrics.defaultLastRing(32));
        assertEquals(10, Metrics.defaultLastRing(21));
        assertEquals(9, Metrics.defaultLastRing(20));
        assertEquals(7, Metrics.defaultLastRing(16));
        // On a small grid the default is the mean over rings 1..(N-1)/2.
        int n = 16;
        double[] truth = gaussian(n * n, 5);
        double[] pred = gaussian(n * n, 6);
        assertEquals(
                Metrics.spectralError(RadialSpectrum.of(pred, 0, n), RadialSpectrum.of(truth, 0, n), 1, 7),
                Metrics.spectralError(toFloat(pred), 0, toFloat(truth), 0, n),
                1e-6);
    }
}
