package dev.smdp4j.physics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.smdp4j.EngineTest;
import dev.smdp4j.TestFourier;
import dev.smdp4j.io.HostArray;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Gaussian random fields against the closed-form statistics of docs/BENCHMARK.md. */
class GaussianRandomFieldTest extends EngineTest {

    @Test
    void everyFieldHasZeroSpatialMean() {
        HostArray x = new GaussianRandomField(4).sample(manager, 50, 32, 1);
        for (int i = 0; i < 50; i++) {
            double mean = Arrays.stream(toDouble(x.slice(i).data())).average().orElseThrow();
            assertEquals(0, mean, 1e-5);
        }
    }

    @Test
    void perPixelStandardDeviationMatchesTheClosedForm() {
        int n = 32;
        HostArray x = new GaussianRandomField(4).sample(manager, 600, n, 2);
        double ss = 0;
        for (float v : x.data()) {
            ss += v * v;
        }
        double std = Math.sqrt(ss / x.size());
        // Var = (1/N^4) sum_k A_k^2 = sum_{k != 0} |k|^-4 over the integer wavenumbers of the grid.
        double var = 0;
        for (int u = 0; u < n; u++) {
            for (int v = 0; v < n; v++) {
                int ku = HeatKernel.wavenumber(u, n);
                int kv = HeatKernel.wavenumber(v, n);
                if (ku != 0 || kv != 0) {
                    var += 1 / Math.pow(ku * ku + kv * kv, 2);
                }
            }
        }
        assertEquals(2.455, Math.sqrt(var), 0.005, "closed form");
        assertEquals(Math.sqrt(var), std, 0.05 * Math.sqrt(var));
    }

    @Test
    void powerSpectrumFallsLikeFrequencyToTheMinusFour() {
        int n = 32;
        int count = 400;
        float[] x = new GaussianRandomField(4).sample(manager, count, n, 3).data();
        int kmax = 12;
        double[] logK = new double[kmax];
        double[] logP = new double[kmax];
        for (int k = 1; k <= kmax; k++) {
            double power = 0;
            for (int f = 0; f < count; f++) {
                // modes (k, 0) and (0, k): |sum x e^{-i k x}|^2
                power += TestFourier.modePower(x, f * n * n, n, k, 0) + TestFourier.modePower(x, f * n * n, n, 0, k);
            }
            logK[k - 1] = Math.log(k);
            logP[k - 1] = Math.log(power / (2 * count));
        }
        double slope = slope(logK, logP);
        assertEquals(-4, slope, 0.15);
        // and the level: E|X_k|^2 = A_k^2 = (N / |k|)^4 for the unnormalised DFT
        assertEquals(Math.log(Math.pow(n, 4)), logP[0], 0.15);
    }

    @Test
    void sameSeedSameFieldsOtherSeedOtherFields() {
        GaussianRandomField grf = new GaussianRandomField(4);
        float[] a = grf.sample(manager, 3, 16, 42).data();
        float[] b = grf.sample(manager, 3, 16, 42).data();
        float[] c = grf.sample(manager, 3, 16, 43).data();
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c));
    }

    @Test
    void oddGridSizesWork() {
        HostArray x = new GaussianRandomField(4).sample(manager, 2, 15, 1);
        assertArrayEquals(new int[] {2, 15, 15}, x.shape());
        assertEquals(-1, x.firstNonFinite());
    }

    static double slope(double[] x, double[] y) {
        double mx = Arrays.stream(x).average().orElseThrow();
        double my = Arrays.stream(y).average().orElseThrow();
        double num = 0;
        double den = 0;
        for (int i = 0; i < x.length; i++) {
            num += (x[i] - mx) * (y[i] - my);
            den += (x[i] - mx) * (x[i] - mx);
        }
        return num / den;
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
