package dev.smdp4j.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import org.junit.jupiter.api.Test;

class EnergySpectrumTest {
    private static final int N = 32;

    /** {@code a cos(kx x + ky y)} on the grid of {@code [0, 2 pi)^2}, row-major {@code [y][x]}. */
    private static float[] wave(double a, int kx, int ky) {
        float[] f = new float[N * N];
        for (int j = 0; j < N; j++) {
            for (int l = 0; l < N; l++) {
                f[j * N + l] = (float) (a * Math.cos(2 * Math.PI * (kx * l + ky * j) / N));
            }
        }
        return f;
    }

    private static float[] plus(float[] a, float[] b) {
        float[] out = a.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += b[i];
        }
        return out;
    }

    @Test
    void aSingleWaveHoldsItsEnergyInItsRing() {
        // |FFT2|^2 = (a N^2 / 2)^2 at the two cells +-k; energy = that / |k|^2, twice.
        double a = 1.5;
        double[] e = EnergySpectrum.of(wave(a, 3, 4), 0, N);
        double expected = 2 * Math.pow(a * N * N / 2, 2) / 25;
        for (int r = 0; r < e.length; r++) {
            assertEquals(r == 5 ? expected : 0, e[r], expected * 1e-5, "ring " + r);
        }
    }

    @Test
    void theErrorIsTheMeanAbsoluteLogRatioOverTheKeptRings() {
        float[] truth = plus(wave(1, 3, 0), wave(0.5, 0, 5));
        float[] doubled = plus(wave(2, 3, 0), wave(1, 0, 5));
        HostArray t = new HostArray(truth, 1, N, N);
        // Twice the field: ln 4 in rings 3 and 5, nothing in the other rings 1..10 (both empty: their
        // round-off, which doubles too, lies below the floor).
        assertEquals(2 * Math.log(4) / 10, EnergySpectrum.logError(t, new HostArray(doubled, 1, N, N)), 1e-6);
        assertEquals(0, EnergySpectrum.logError(t, t), 0);
        // Energy moved from ring 5 to ring 6: each of the two rings is off by the full floor ratio.
        float[] moved = plus(wave(1, 3, 0), wave(0.5, 0, 6));
        double off = EnergySpectrum.logError(t, new HostArray(moved, 1, N, N));
        assertTrue(off > 2 * 20 / 10.0, "a ring without energy counts as far off: " + off);
    }

    @Test
    void shapesMustAgree() {
        HostArray a = new HostArray(new float[2 * N * N], 2, N, N);
        HostArray b = new HostArray(new float[N * N], 1, N, N);
        assertThrows(InvalidInputException.class, () -> EnergySpectrum.logError(a, b));
    }
}
