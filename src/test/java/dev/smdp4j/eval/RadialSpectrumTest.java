package dev.smdp4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RadialSpectrumTest {

    /** cos(kx x + ky y) on the grid, x along columns (index l), y along rows (index j). */
    static double[] cosineMode(int n, int kx, int ky) {
        double[] f = new double[n * n];
        for (int j = 0; j < n; j++) {
            for (int l = 0; l < n; l++) {
                f[j * n + l] = Math.cos(2 * Math.PI * (kx * l + ky * j) / n);
            }
        }
        return f;
    }

    @ParameterizedTest(name = "N={0}, k=({1},{2})")
    @CsvSource({"32,3,0", "32,0,5", "32,3,4", "32,-2,7", "32,6,6", "32,1,1", "17,2,3", "24,-5,1"})
    void singleCosineModeFillsOneRingWithHalfOfNSquaredPerCell(int n, int kx, int ky) {
        double[] r = RadialSpectrum.of(cosineMode(n, kx, ky), 0, n);
        int ring = (int) Math.floor(Math.sqrt(kx * kx + ky * ky));
        int[] counts = RadialSpectrum.ringCounts(n);
        // Two cells (k and -k) each hold N^2 / 2, the rest of the ring holds 0.
        double expected = (double) n * n / counts[ring];
        assertEquals(expected, r[ring], 1e-9 * n * n);
        for (int q = 0; q < r.length; q++) {
            if (q != ring) {
                assertEquals(0, r[q], 1e-9 * n * n, "ring " + q);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {5, 8, 9})
    void realDftMatchesTheDefiningSum(int n) {
        Random rng = new Random(n);
        double[] x = new double[n * n + 3];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextGaussian();
        }
        double[] re = RadialSpectrum.realDft(x, 3, n);
        for (int u = 0; u < n; u++) {
            for (int v = 0; v < n; v++) {
                double s = 0;
                for (int j = 0; j < n; j++) {
                    for (int l = 0; l < n; l++) {
                        s += x[3 + j * n + l] * Math.cos(2 * Math.PI * (u * j + v * l) / n);
                    }
                }
                assertEquals(s, re[u * n + v], 1e-10, "(" + u + "," + v + ")");
            }
        }
    }

    @Test
    void ringsFollowNumpyFftshiftAndCoverTheGrid() {
        assertEquals(22, RadialSpectrum.maxRing(32));
        assertEquals(15, RadialSpectrum.lastCompleteRing(32));
        assertEquals(0, RadialSpectrum.ringOf(0, 0, 32));
        // Nyquist index 16 moves to shifted position 0, 16 cells from the centre.
        assertEquals(16, RadialSpectrum.ringOf(16, 0, 32));
        assertEquals(22, RadialSpectrum.ringOf(16, 16, 32));
        assertEquals(1, RadialSpectrum.ringOf(31, 31, 32));
        for (int n : new int[] {1, 2, 7, 16, 21, 32}) {
            int[] counts = RadialSpectrum.ringCounts(n);
            assertEquals(n * n, Arrays.stream(counts).sum());
            assertTrue(Arrays.stream(counts).allMatch(c -> c > 0), "every ring holds a cell for N = " + n);
        }
        assertEquals(1, RadialSpectrum.ringCounts(32)[0]);
        assertEquals(8, RadialSpectrum.ringCounts(32)[1]); // distances 1 and sqrt 2
    }

    @Test
    void floatHostArrayAndDoubleEntryPointsAgree() {
        int n = 12;
        Random rng = new Random(1);
        float[] f = new float[n * n];
        double[] d = new double[n * n];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) rng.nextGaussian();
            d[i] = f[i];
        }
        double[] expected = RadialSpectrum.of(d, 0, n);
        assertArrayEquals(expected, RadialSpectrum.of(f, 0, n), 0);
        assertArrayEquals(expected, RadialSpectrum.of(new HostArray(f, n, n)), 0);
        assertThrows(InvalidInputException.class, () -> RadialSpectrum.of(new HostArray(f, 9, 16)));
        assertThrows(IllegalArgumentException.class, () -> RadialSpectrum.of(f, 1, n));
    }
}
