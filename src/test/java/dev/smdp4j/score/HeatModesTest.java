package dev.smdp4j.score;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.smdp4j.EngineTest;
import dev.smdp4j.TestFourier;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.physics.GaussianRandomField;
import dev.smdp4j.physics.HeatKernel;
import dev.smdp4j.sde.TimeGrid;
import org.junit.jupiter.api.Test;

/** Per-mode closed forms against geometric sums, a direct loop, and sampled Gaussian random fields. */
class HeatModesTest extends EngineTest {

    @Test
    void wavenumbersAndGainsFollowTheFftIndexConvention() {
        double[] k2 = HeatModes.wavenumberSquared(5);
        // indices 0..4 are wavenumbers 0, 1, 2, -2, -1
        assertEquals(0, k2[0]);
        assertEquals(4 + 1, k2[3 * 5 + 1]);
        assertEquals(1 + 4, k2[4 * 5 + 2]);
        double[] k2even = HeatModes.wavenumberSquared(4);
        assertEquals(4 + 4, k2even[2 * 4 + 2], "Nyquist index 2 of N = 4 is wavenumber -2");
        assertEquals(Math.exp(-0.3 * 5 * 0.1), HeatModes.heatGain(5, 0.3, 0.1)[3 * 5 + 1], 1e-15);
    }

    @Test
    void uniformGridVariancesAreTheGeometricSeries() {
        int n = 6;
        double alpha = 0.8;
        double g = 0.1;
        double[] prior = RealSpace.specPrior(n, 4, 1.7);
        TimeGrid grid = TimeGrid.uniform(0.2, 32);
        double d = 0.2 / 32;
        double[][] v = HeatModes.forwardVariances(prior, alpha, g, grid);
        assertEquals(33, v.length);
        double[] k2 = HeatModes.wavenumberSquared(n);
        for (int i = 0; i <= 32; i++) {
            for (int mode = 0; mode < n * n; mode++) {
                // V_i = q^i p + g^2 d (1 + q + ... + q^{i-1}), q = exp(-2 alpha |k|^2 d)
                double q = Math.exp(-2 * alpha * k2[mode] * d);
                double series = q == 1 ? i : (1 - Math.pow(q, i)) / (1 - q);
                double expected = Math.pow(q, i) * prior[mode] + g * g * d * series;
                assertEquals(expected, v[i][mode], 1e-12 * Math.max(expected, 1e-3), "i = " + i + ", mode " + mode);
            }
        }
        assertEquals(g * g * 0.2, v[32][0], 1e-15, "mode 0 accumulates only noise");
    }

    @Test
    void nonUniformGridVariancesMatchADirectLoop() {
        int n = 4;
        double[] prior = RealSpace.specPrior(n, 2, 1.0);
        TimeGrid grid = TimeGrid.of(0, 0.01, 0.05, 0.2);
        double[][] v = HeatModes.forwardVariances(prior, 1.0, 0.3, grid);
        for (int u = 0; u < n; u++) {
            for (int w = 0; w < n; w++) {
                int ky = HeatKernel.wavenumber(u, n);
                int kx = HeatKernel.wavenumber(w, n);
                double x = prior[u * n + w];
                for (int i = 0; i < 3; i++) {
                    double span = grid.time(i + 1) - grid.time(i);
                    x = Math.exp(-2 * (kx * kx + ky * ky) * span) * x + 0.09 * span;
                    assertEquals(x, v[i + 1][u * n + w], 1e-14);
                }
            }
        }
    }

    @Test
    void varianceAtIsTheGridRowOnTheGridAndOnePartialStepBetween() {
        DatasetSpec spec = DatasetSpec.heat(2, 1, 6, 4, 1, 0.2, 8, 0.1, 0.01, 0);
        Normalisation norm = new Normalisation(0, 2.5);
        double[][] v = HeatModes.forwardVariances(spec, norm);
        double d = 0.2 / 8;
        for (int i = 0; i <= 8; i++) {
            assertArrayEquals(v[i], HeatModes.varianceAt(i * d, v, 1, 0.1, d), 0, "grid point " + i);
            // approaching t_i from below is continuous
            if (i > 0) {
                assertArrayEquals(v[i], HeatModes.varianceAt(i * d - 1e-13, v, 1, 0.1, d), 1e-12);
            }
        }
        double[] k2 = HeatModes.wavenumberSquared(6);
        double r = 0.3 * d;
        double[] mid = HeatModes.varianceAt(3 * d + r, v, 1, 0.1, d);
        for (int mode = 0; mode < 36; mode++) {
            assertEquals(Math.exp(-2 * k2[mode] * r) * v[3][mode] + 0.01 * r, mid[mode], 1e-15);
        }
        assertThrows(IllegalArgumentException.class, () -> HeatModes.varianceAt(-1e-3, v, 1, 0.1, d));
        assertThrows(IllegalArgumentException.class, () -> HeatModes.varianceAt(0.21, v, 1, 0.1, d));
        assertThrows(IllegalArgumentException.class, () -> HeatModes.varianceAt(Double.NaN, v, 1, 0.1, d));
    }

    @Test
    void priorVarianceMatchesTheEmpiricalModeVarianceOfNormalisedRandomFields() {
        int n = 8;
        int count = 4000;
        DatasetSpec spec = DatasetSpec.heat(count, 1, n, 4, 1, 0.2, 32, 0.1, 0.01, 0);
        HostArray physical = new GaussianRandomField(4).sample(manager, count, n, 17);
        Normalisation norm = Normalisation.of(physical);
        float[] x = norm.normalise(physical).data();
        double[] p = HeatModes.priorVariance(spec, norm);
        assertEquals(0, p[0]);
        for (int u = 0; u < n; u++) {
            for (int v = 0; v < n; v++) {
                if (u == 0 && v == 0) {
                    continue;
                }
                double power = 0;
                for (int f = 0; f < count; f++) {
                    power += TestFourier.modePower(
                            x, f * n * n, n, HeatKernel.wavenumber(v, n), HeatKernel.wavenumber(u, n));
                }
                double empirical = power / ((double) n * n * count);
                // 4000 fields: relative sd 1.6% (complex modes) to 2.2% (real modes); 10% is > 4.5 sd
                assertEquals(p[u * n + v], empirical, 0.10 * p[u * n + v], "mode (" + u + ", " + v + ")");
            }
        }
    }
}
