package dev.smdp4j.physics;

import static dev.smdp4j.physics.NavierStokes2dTest.field;
import static dev.smdp4j.physics.NavierStokes2dTest.relativeL2;
import static dev.smdp4j.physics.NavierStokes2dTest.smoothField;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.smdp4j.EngineTest;
import dev.smdp4j.physics.NavierStokes2d.Scheme;
import dev.smdp4j.util.EngineArrays;
import org.junit.jupiter.api.Test;

/**
 * {@link NavierStokes2d#reverseIncrement}, the physics of SMDP's reverse steps: it undoes the
 * inviscid flow (where the explicit reversal does not), it is a first-order reverse step, its
 * linear part is the bounded factor {@code 2 - exp(L d)}, and a forced flow keeps the default.
 */
class NavierStokesReverseTest extends EngineTest {
    private static final int N = 32;

    private NDArray smooth(NDManager m) {
        float[] w = smoothField(N);
        for (int i = 0; i < w.length; i++) {
            w[i] *= 2.5f; // the benchmark's rms vorticity
        }
        return EngineArrays.of(m, w, new Shape(1, N, N));
    }

    @Test
    void undoesTheInviscidFlowWhereTheExplicitReversalDoesNot() {
        double d = 0.25;
        try (NDManager m = manager.newSubManager();
                NavierStokes2d ns = new NavierStokes2d(m, 0, 0, null, 0.01, Scheme.CN_RK4)) {
            NDArray x0 = smooth(m);
            NDArray x1 = ns.advance(x0, d);
            double moved = relativeL2(x1.toFloatArray(), x0.toFloatArray());
            double exact = relativeL2(x1.add(ns.reverseIncrement(x1, d)).toFloatArray(), x0.toFloatArray());
            double euler = relativeL2(x1.sub(ns.increment(x1, d)).toFloatArray(), x0.toFloatArray());
            System.out.printf(
                    "inviscid reversal over %.2f: moved %.2e, back %.2e, explicit reversal %.2e%n",
                    d, moved, exact, euler);
            assertTrue(moved > 0.1, "the flow moves: " + moved);
            assertTrue(exact < 1e-4, "time-reversal of the inviscid flow: " + exact);
            assertTrue(euler > 100 * exact, "the explicit reversal is far worse: " + euler);
        }
    }

    @Test
    void isAFirstOrderReverseStep() {
        try (NDManager m = manager.newSubManager();
                NavierStokes2d ns = new NavierStokes2d(m, 0.03, 0.1, null, 0.01, Scheme.CN_RK4)) {
            NDArray x = smooth(m);
            float[] rate = ns.rate(x).toFloatArray();
            double[] errors = new double[3];
            double[] spans = {0.08, 0.04, 0.02};
            for (int i = 0; i < spans.length; i++) {
                float[] r = ns.reverseIncrement(x, spans[i]).toFloatArray();
                double e = 0;
                for (int j = 0; j < r.length; j++) {
                    double diff = r[j] + spans[i] * rate[j];
                    e += diff * diff;
                }
                errors[i] = Math.sqrt(e / r.length);
            }
            // R_d(x) = -d f(x) + O(d^2): the remainder shrinks fourfold when d halves
            for (int i = 1; i < spans.length; i++) {
                double ratio = errors[i - 1] / errors[i];
                assertTrue(
                        ratio > 3.5 && ratio < 4.5,
                        "remainder ratio " + ratio + " of " + java.util.Arrays.toString(errors));
            }
        }
    }

    @Test
    void reversesTheLinearPartByTheBoundedFactor() {
        // a single Fourier mode is a steady state of the advection, so only the linear part acts
        int k = 5;
        double nu = 0.1;
        double alpha = 0.05;
        double d = 0.5;
        float[] mode = field(N, (x, y) -> Math.cos(k * x));
        try (NDManager m = manager.newSubManager();
                NavierStokes2d ns = new NavierStokes2d(m, nu, alpha, null, 0.01, Scheme.CN_RK4)) {
            NDArray x = EngineArrays.of(m, mode, new Shape(1, N, N));
            float[] r = ns.reverseIncrement(x, d).toFloatArray();
            double factor = 1 - Math.exp((-nu * k * k - alpha) * d); // (2 - e^{Ld}) - 1
            for (int i = 0; i < r.length; i++) {
                assertEquals(factor * mode[i], r[i], 1e-5);
            }
            // the exact backward flow would multiply by e^{-Ld} = 3.6 instead of 1.72
            assertTrue(factor > 0.5 && Math.exp((nu * k * k + alpha) * d) - 1 > 2 * factor, "factor " + factor);
        }
    }

    @Test
    void aForcedFlowKeepsTheExplicitReversal() {
        try (NDManager m = manager.newSubManager();
                NavierStokes2d ns =
                        new NavierStokes2d(m, 0.03, 0.1, NavierStokes2d.kolmogorovForcing(N, 4), 0.01, Scheme.CN_RK4)) {
            NDArray x = smooth(m);
            assertArrayEquals(
                    ns.increment(x, 0.1).neg().toFloatArray(),
                    ns.reverseIncrement(x, 0.1).toFloatArray());
        }
    }
}
