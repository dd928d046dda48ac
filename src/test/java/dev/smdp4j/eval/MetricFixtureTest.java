package dev.smdp4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.smdp4j.io.HostArray;
import dev.smdp4j.physics.HeatKernel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Cross-check against numpy's FFT: {@code fixtures/metric_fixture.bin}, written by
 * {@code fixtures/make_metric_fixture.py} (its docstring gives the raw little-endian layout).
 */
class MetricFixtureTest {
    private static int count;
    private static int n;
    private static int rings;
    private static double alpha;
    private static double endTime;
    private static float[] truth;
    private static float[] pred;
    private static double[] mse;
    private static double[] spec;
    private static double[] radialTruth;

    @BeforeAll
    static void load() throws IOException {
        byte[] bytes;
        try (InputStream in = MetricFixtureTest.class.getResourceAsStream("/fixtures/metric_fixture.bin")) {
            assertNotNull(in, "fixtures/metric_fixture.bin is missing; run make_metric_fixture.py");
            bytes = in.readAllBytes();
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[8];
        b.get(magic);
        assertEquals("SMDPMF01", new String(magic, StandardCharsets.US_ASCII));
        count = b.getInt();
        n = b.getInt();
        rings = b.getInt();
        alpha = b.getDouble();
        endTime = b.getDouble();
        truth = new float[count * n * n];
        pred = new float[count * n * n];
        b.asFloatBuffer().get(truth);
        b.position(b.position() + 4 * truth.length);
        b.asFloatBuffer().get(pred);
        b.position(b.position() + 4 * pred.length);
        mse = doubles(b, count);
        spec = doubles(b, count);
        radialTruth = doubles(b, count * rings);
        assertEquals(0, b.remaining(), "trailing bytes in the fixture");
    }

    private static double[] doubles(ByteBuffer b, int length) {
        double[] out = new double[length];
        b.asDoubleBuffer().get(out);
        b.position(b.position() + 8 * length);
        return out;
    }

    @Test
    void reconstructionMseMatchesNumpy() {
        double[][] heat = HeatKernel.circulant(n, alpha, endTime);
        for (int i = 0; i < count; i++) {
            int off = i * n * n;
            assertEquals(
                    mse[i], Metrics.reconstructionMse(pred, off, truth, off, n, heat), 1e-6 * mse[i], "sample " + i);
        }
    }

    @Test
    void spectralErrorMatchesNumpy() {
        for (int i = 0; i < count; i++) {
            int off = i * n * n;
            assertEquals(spec[i], Metrics.spectralError(pred, off, truth, off, n), 1e-6 * spec[i], "sample " + i);
        }
    }

    @Test
    void radialSpectrumMatchesNumpy() {
        assertEquals(RadialSpectrum.maxRing(n) + 1, rings);
        for (int i = 0; i < count; i++) {
            double[] r = RadialSpectrum.of(truth, i * n * n, n);
            for (int q = 0; q < rings; q++) {
                double expected = radialTruth[i * rings + q];
                assertEquals(expected, r[q], 1e-6 * Math.abs(expected) + 1e-12, "sample " + i + " ring " + q);
            }
        }
    }

    @Test
    void evaluateReproducesTheFixtureInNormalisedUnits() {
        // With mean 0 and std 1 the normalised units are the fixture's own.
        Evaluation e = Metrics.evaluate(
                new HostArray(truth, count, n, n), new HostArray(pred, count, n, n), 0, 1, alpha, endTime);
        for (int i = 0; i < count; i++) {
            assertEquals(mse[i], e.msePerSample()[i], 1e-6 * mse[i]);
            assertEquals(spec[i], e.spectralErrorPerSample()[i], 1e-6 * spec[i]);
        }
    }
}
