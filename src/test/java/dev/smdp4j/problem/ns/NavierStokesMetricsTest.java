package dev.smdp4j.problem.ns;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.io.HostArray;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Navier-Stokes metrics against closed forms of the solver. */
class NavierStokesMetricsTest {
    private static final int N = 16;
    private static final NavierStokesProblem PROBLEM = new NavierStokesProblem(N, 4, 0.03, 0, 0.01);
    private static final DatasetSpec SPEC = new DatasetSpec(PROBLEM, 8, 8, 2, 32, 0.25, 0.025, 0);

    @Test
    void reconstructionMseComparesTheEndStates() {
        // A single Fourier mode is a steady solution of the advection term (u . grad w = 0), so the
        // solver only lets it decay, by exp(-nu |k|^2 T): against a zero truth (which stays zero) the
        // end-state MSE is the initial one times exp(-2 nu |k|^2 T).
        int k = 4;
        double eps = 0.3;
        float[] wave = new float[2 * N * N];
        for (int j = 0; j < N; j++) {
            for (int l = 0; l < N; l++) {
                wave[j * N + l] = (float) (eps * Math.cos(2 * Math.PI * k * l / N));
                wave[N * N + j * N + l] = (float) (eps * Math.sin(2 * Math.PI * k * j / N));
            }
        }
        HostArray zero = new HostArray(new float[2 * N * N], 2, N, N);
        Map<String, Double> m = PROBLEM.metrics(zero, new HostArray(wave, 2, N, N), SPEC);
        double x0Mse = eps * eps / 2;
        assertEquals(x0Mse, m.get("x0_mse"), 1e-7);
        assertEquals(x0Mse * Math.exp(-2 * 0.03 * k * k * 2), m.get("mse"), 1e-4 * m.get("mse"));
    }

    @Test
    void aPerfectEstimateScoresZero() {
        float[] field = new float[N * N];
        java.util.Random random = new java.util.Random(5);
        for (int i = 0; i < field.length; i++) {
            field[i] = (float) random.nextGaussian();
        }
        HostArray x = new HostArray(field, 1, N, N);
        Map<String, Double> m = PROBLEM.metrics(x, x, SPEC);
        assertEquals(0, m.get("mse"), 0);
        assertEquals(0, m.get("spectrum"), 0);
        assertEquals(0, m.get("x0_mse"), 0);
        assertEquals("spectrum", PROBLEM.posteriorMetric());
    }

    @Test
    void aTruthSimulatedBeforeIsReusedOnlyWhenItIsTheSame() {
        java.util.Random random = new java.util.Random(9);
        float[] a = new float[N * N];
        float[] b = new float[N * N];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) random.nextGaussian();
            b[i] = (float) random.nextGaussian();
        }
        HostArray truthA = new HostArray(a, 1, N, N);
        HostArray truthB = new HostArray(b, 1, N, N);
        // each truth scored against itself must give 0, whatever truth was simulated the call before
        assertEquals(0, PROBLEM.metrics(truthA, truthA, SPEC).get("mse"), 0);
        assertEquals(0, PROBLEM.metrics(truthB, truthB, SPEC).get("mse"), 0);
        assertEquals(0, PROBLEM.metrics(truthA, truthA, SPEC).get("mse"), 0);
        // the same truth under another protocol is simulated afresh
        DatasetSpec shorter = new DatasetSpec(PROBLEM, 8, 8, 1, 16, 0.25, 0.025, 0);
        assertEquals(0, PROBLEM.metrics(truthA, truthA, shorter).get("mse"), 0);
        // a reused truth gives the value a fresh simulation gives
        double reused = PROBLEM.metrics(truthA, truthB, shorter).get("mse");
        PROBLEM.metrics(truthB, truthB, SPEC); // another truth in between
        assertEquals(reused, PROBLEM.metrics(truthA, truthB, shorter).get("mse"), 0);
    }
}
