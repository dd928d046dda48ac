package dev.smdp4j.physics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.smdp4j.EngineTest;
import dev.smdp4j.physics.NavierStokes2d.Scheme;
import java.util.function.DoubleBinaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Navier-Stokes solver against closed forms (Taylor-Green decay, Kolmogorov start-up),
 * invariants of the inviscid flow, an independent float64 host computation of one step and of the
 * drift, finite differences of its gradient, and its order of convergence in the time step.
 * Measured values are printed. About 5 s with one engine thread
 * ({@code -Dsmdp.test.jvm=-Dai.djl.pytorch.num_threads=1}); with two threads on a loaded two-core
 * machine the many small operations can take far longer.
 */
class NavierStokes2dTest extends EngineTest {

    /** {@code g(x, y)} sampled at {@code x = 2 pi c / n} (columns), {@code y = 2 pi r / n} (rows), row-major. */
    static float[] field(int n, DoubleBinaryOperator g) {
        float[] f = new float[n * n];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) {
                f[r * n + c] = (float) g.applyAsDouble(2 * Math.PI * c / n, 2 * Math.PI * r / n);
            }
        }
        return f;
    }

    /** A smooth band-limited field (|k| <= 3) whose modes interact: the flow evolves nonlinearly. */
    static float[] smoothField(int n) {
        return field(
                n,
                (x, y) -> Math.cos(x + 2 * y + 0.3)
                        + 0.8 * Math.sin(2 * x - y)
                        + 0.6 * Math.cos(3 * x + 0.5)
                        + 0.5 * Math.sin(x + 3 * y)
                        + 0.7 * Math.cos(y - 1.0));
    }

    static double maxAbsDiff(float[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    static double relativeL2(float[] a, float[] reference) {
        double err = 0;
        double norm = 0;
        for (int i = 0; i < a.length; i++) {
            err += (a[i] - (double) reference[i]) * (a[i] - (double) reference[i]);
            norm += (double) reference[i] * reference[i];
        }
        return Math.sqrt(err / norm);
    }

    @ParameterizedTest
    @EnumSource(Scheme.class)
    void taylorGreenVortexDecaysExactly(Scheme scheme) {
        int n = 32;
        double nu = 0.1;
        double alpha = 0.05;
        float[] tg = field(n, (x, y) -> -2 * Math.cos(x) * Math.cos(y));
        // a batch [2, 3, N, N] of amplitudes: any multiple of the vortex is a steady shape (advection 0)
        float[] batch = new float[6 * n * n];
        for (int b = 0; b < 6; b++) {
            for (int i = 0; i < n * n; i++) {
                batch[b * n * n + i] = (b - 2.5f) * tg[i];
            }
        }
        try (NDManager m = manager.newSubManager();
                NavierStokes2d ns = new NavierStokes2d(m, nu, alpha, null, 0.05, scheme)) {
            NDArray x = m.create(batch, new Shape(2, 3, n, n));
            NDArray w = x;
            double previous = 0;
            for (double t : new double[] {0.1, 0.5, 1.0, 2.5}) {
                w = ns.advance(w, t - previous); // in 2, 8, 10 and 30 sub-steps of 0.05
                previous = t;
                float[] out = w.toFloatArray();
                // the increment from x over t, at one time (the state steps are the same code)
                float[] inc = t == 0.5 ? ns.increment(x, t).toFloatArray() : null;
                double factor = Math.exp(-(2 * nu + alpha) * t);
                // one Crank-Nicolson step of h = 0.05 per sub-step: CN_EULER's exact factor on this mode
                double lh = (2 * nu + alpha) * 0.05;
                double cnFactor = Math.pow((1 - lh / 2) / (1 + lh / 2), Math.round(t / 0.05));
                double err = 0;
                double cnErr = 0;
                double incErr = 0;
                for (int i = 0; i < batch.length; i++) {
                    err = Math.max(err, Math.abs(out[i] - factor * batch[i]));
                    cnErr = Math.max(cnErr, Math.abs(out[i] - cnFactor * batch[i]));
                    incErr = inc == null ? 0 : Math.max(incErr, Math.abs(inc[i] - (factor - 1) * batch[i]));
                }
                double timeError = 5 * Math.abs(cnFactor - factor); // values up to 5
                System.out.printf(
                        "taylor-green %s t=%.1f max error %.2e (values up to 5; CN time error %.2e),"
                                + " against the CN factor %.2e%n",
                        scheme, t, err, timeError, cnErr);
                // float32 round-off of values up to 5 over <= 50 sub-steps stays below 1e-5; the time
                // error is at most one Crank-Nicolson step of h per sub-step (CN_RK4 splits it in 5 stages)
                assertEquals(0, err, 1e-5 + timeError, scheme + " t=" + t);
                assertEquals(0, incErr, 1e-5 + timeError, scheme + " increment t=" + t);
                if (scheme == Scheme.CN_EULER) {
                    assertEquals(0, cnErr, 1e-5, "CN_EULER is exactly Crank-Nicolson here, t=" + t);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Scheme.class)
    void kolmogorovFlowStartsUpAsTheLinearClosedForm(Scheme scheme) {
        int n = 32;
        int k = 4;
        double nu = 0.05;
        double alpha = 0.1;
        double rate = nu * k * k + alpha; // 0.9
        try (NDManager m = manager.newSubManager();
                NavierStokes2d ns =
                        new NavierStokes2d(m, nu, alpha, NavierStokes2d.kolmogorovForcing(n, k), 0.05, scheme)) {
            NDArray w = m.zeros(new Shape(1, n, n));
            double previous = 0;
            for (double t : new double[] {0.2, 1.0, 3.0}) {
                double growth = 1 - Math.exp(-rate * t);
                w = ns.advance(w, t - previous); // from w = 0, in 4, 16 and 40 sub-steps of 0.05
                previous = t;
                float[] out = w.toFloatArray();
                double[] expected = new double[n * n];
                for (int r = 0; r < n; r++) {
                    for (int c = 0; c < n; c++) {
                        expected[r * n + c] = -k * Math.cos(k * 2 * Math.PI * r / n) / rate * growth;
                    }
                }
                double err = maxAbsDiff(out, expected);
                // the velocity of w* is the body force's direction: u = sin(ky) / rate, v = 0 (sign of the curl)
                float[] vel = ns.velocity(w).toFloatArray();
                double[] u = new double[2 * n * n];
                for (int r = 0; r < n; r++) {
                    for (int c = 0; c < n; c++) {
                        u[r * n + c] = Math.sin(k * 2 * Math.PI * r / n) / rate * growth;
                    }
                }
                double velErr = maxAbsDiff(vel, u);
                System.out.printf(
                        "kolmogorov %s t=%.1f max error %.2e of %.2f, velocity %.2e of %.2f%n",
                        scheme, t, err, maxAbs(expected), velErr, maxAbs(u));
                // both schemes are second order on this linear problem; with dt = 0.05 the time error is
                // ~1e-4 relative (a wrong sign of the forcing or of the curl is an O(1) error)
                assertEquals(0, err, 3e-4 * maxAbs(expected) + 1e-6, scheme + " t=" + t);
                assertEquals(0, velErr, 3e-4 * maxAbs(u) + 1e-6, scheme + " velocity t=" + t);
            }
        }
    }

    @Test
    void inviscidFlowConservesEnergyAndEnstrophy() {
        int n = 32;
        float[] w0 = smoothField(n);
        try (NDManager m = manager.newSubManager();
                NavierStokes2d ns = new NavierStokes2d(m, 0, 0, null, 0.02, Scheme.CN_RK4)) {
            NDArray w = m.create(w0, new Shape(1, n, n));
            double e0 = energy(ns, w);
            double z0 = enstrophy(w.toFloatArray());
            double maxEnergyDrift = 0;
            double maxEnstrophyDrift = 0;
            for (int chunk = 0; chunk < 4; chunk++) {
                w = ns.advance(w, 0.5);
                maxEnergyDrift = Math.max(maxEnergyDrift, Math.abs(energy(ns, w) / e0 - 1));
                maxEnstrophyDrift = Math.max(maxEnstrophyDrift, Math.abs(enstrophy(w.toFloatArray()) / z0 - 1));
            }
            double change = relativeL2(w.toFloatArray(), w0);
            System.out.printf(
                    "inviscid CN_RK4 T=2 (100 steps of 0.02): energy drift %.2e, enstrophy drift %.2e, field changed"
                            + " by %.2f relative%n",
                    maxEnergyDrift, maxEnstrophyDrift, change);
            // the flow really evolves (advection is not trivial) ...
            assertTrue(change > 0.3, "relative change " + change);
            // ... while both invariants of the dealiased Galerkin system stay put up to the RK time
            // error and float32 round-off
            assertEquals(0, maxEnergyDrift, 1e-5);
            assertEquals(0, maxEnstrophyDrift, 1e-5);

            // explicit Euler on the skew-symmetric advection gains energy at first order in dt
            try (NavierStokes2d euler = new NavierStokes2d(m, 0, 0, null, 0.02, Scheme.CN_EULER)) {
                NDArray we = euler.advance(m.create(w0, new Shape(1, n, n)), 2.0);
                System.out.printf(
                        "inviscid CN_EULER T=2 (100 steps of 0.02): energy drift %.2e, enstrophy drift %.2e%n",
                        energy(euler, we) / e0 - 1, enstrophy(we.toFloatArray()) / z0 - 1);
            }
        }
    }

    /** {@code 1/2 mean(u^2 + v^2)} of one field [1, N, N]. */
    static double energy(NavierStokes2d ns, NDArray w) {
        float[] vel = ns.velocity(w).toFloatArray();
        double s = 0;
        for (float v : vel) {
            s += (double) v * v;
        }
        return 0.5 * s / (vel.length / 2);
    }

    /** {@code 1/2 mean(w^2)}. */
    static double enstrophy(float[] w) {
        double s = 0;
        for (float v : w) {
            s += (double) v * v;
        }
        return 0.5 * s / w.length;
    }

    @Test
    void oneSemiImplicitStepAndTheDriftMatchAFloat64HostComputation() {
        int n = 16;
        double nu = 0.05;
        double alpha = 0.1;
        double dt = 0.05;
        double[] forcing = NavierStokes2d.kolmogorovForcing(n, 2);
        // two interacting modes, and one beyond the 2/3 rule (|k_x| = 6 > 16/3) whose products the mask drops
        float[] w0 = field(n, (x, y) -> Math.cos(x) + 0.8 * Math.sin(x + 2 * y) + 0.3 * Math.cos(6 * x - y));
        HostSolver host = new HostSolver(n, nu, alpha, forcing);
        double[] w0d = new double[n * n];
        for (int i = 0; i < w0d.length; i++) {
            w0d[i] = w0[i];
        }
        double[] withAdvection = host.eulerStep(w0d, dt, true);
        double[] linearOnly = host.eulerStep(w0d, dt, false);
        double advectionPart = 0;
        for (int i = 0; i < w0d.length; i++) {
            advectionPart = Math.max(advectionPart, Math.abs(withAdvection[i] - linearOnly[i]));
        }
        try (NDManager m = manager.newSubManager();
                NavierStokes2d ns = new NavierStokes2d(m, nu, alpha, forcing, dt, Scheme.CN_EULER)) {
            float[] out = ns.advance(m.create(w0, new Shape(1, n, n)), dt).toFloatArray();
            double err = maxAbsDiff(out, withAdvection);
            double errLinear = maxAbsDiff(out, linearOnly);
            float[] rate = ns.rate(m.create(w0, new Shape(n, n))).toFloatArray();
            double[] hostRate = host.rate(w0d);
            double rateErr = maxAbsDiff(rate, hostRate);
            System.out.printf(
                    "host step: max |w| %.2f, advection changes the step by %.2e; engine vs host %.2e"
                            + " (vs linear-only %.2e); rate error %.2e of %.2f%n",
                    maxAbs(withAdvection), advectionPart, err, errLinear, rateErr, maxAbs(hostRate));
            // advection matters: the step without it differs by ~1e-1, far above float32 round-off ...
            assertTrue(advectionPart > 1e-2, "advection part " + advectionPart);
            assertTrue(errLinear > 0.5 * advectionPart);
            // ... and the engine's step agrees with the float64 reference to float32 round-off
            // (1e-5 of the field's magnitude, i.e. ~1e-4 of the advection part)
            assertEquals(0, err, 1e-5 * maxAbs(withAdvection));
            assertEquals(0, rateErr, 1e-5 * maxAbs(hostRate));
        }
    }

    @ParameterizedTest
    @EnumSource(Scheme.class)
    void autogradAgreesWithCentralFiniteDifferences(Scheme scheme) {
        int n = 16;
        double d = 0.2; // 4 sub-steps of 0.05
        float[] base = smoothField(n);
        float[] x0 = new float[2 * n * n];
        for (int i = 0; i < n * n; i++) {
            x0[i] = base[i];
            x0[n * n + i] = -0.7f * base[(i + 37) % (n * n)]; // a second, different item
        }
        float[] weight1 = field(n, (x, y) -> Math.sin(2 * x + y) + 0.5 * Math.cos(3 * y));
        float[] weight = new float[2 * n * n];
        System.arraycopy(weight1, 0, weight, 0, n * n);
        System.arraycopy(weight1, 0, weight, n * n, n * n);
        float[] dir1 = field(n, (x, y) -> Math.cos(x - y + 0.4) + 0.6 * Math.sin(2 * y + 0.1) + 0.4 * Math.cos(4 * x));
        float[] direction = new float[2 * n * n];
        System.arraycopy(dir1, 0, direction, 0, n * n);
        for (int i = 0; i < n * n; i++) {
            direction[n * n + i] = dir1[(i * 5) % (n * n)];
        }
        Shape shape = new Shape(2, n, n);
        try (NDManager m = manager.newSubManager();
                NavierStokes2d ns =
                        new NavierStokes2d(m, 0.02, 0.05, NavierStokes2d.kolmogorovForcing(n, 1), 0.05, scheme)) {
            NDArray x = m.create(x0, shape);
            NDArray w = m.create(weight, shape);
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray out = ns.advance(x, d);
                gc.backward(out.mul(w).add(out.mul(out)).sum()); // L = sum(weight w_T + w_T^2)
            }
            float[] grad = x.getGradient().toFloatArray();
            double directional = 0;
            for (int i = 0; i < grad.length; i++) {
                directional += (double) grad[i] * direction[i];
            }
            double eps = 0.05;
            double fd = (loss(ns, m, x0, direction, eps, weight, shape, d)
                            - loss(ns, m, x0, direction, -eps, weight, shape, d))
                    / (2 * eps);
            double rel = Math.abs(fd - directional) / Math.abs(fd);
            System.out.printf(
                    "gradient %s: autograd %.6f, central difference %.6f, relative %.2e%n",
                    scheme, directional, fd, rel);
            // float32 forward, loss summed in float64, eps = 0.05 on fields of size ~2: the central
            // difference is good to ~1e-4 relative (O(eps^2) truncation plus round-off / eps)
            assertEquals(0, rel, 1e-3);

            // a plain sum of the increment and of the rate (stride-0 output gradients, which the
            // inverse FFT's backward must accept): L2 = sum(P_d(x)) + sum(weight rate(x))
            NDArray x2 = m.create(x0, shape); // a fresh leaf: gradients accumulate
            x2.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(ns.increment(x2, d).sum().add(ns.rate(x2).mul(w).sum()));
            }
            float[] grad2 = x2.getGradient().toFloatArray();
            double directional2 = 0;
            for (int i = 0; i < grad2.length; i++) {
                directional2 += (double) grad2[i] * direction[i];
            }
            double fd2 = (loss2(ns, m, x0, direction, eps, weight, shape, d)
                            - loss2(ns, m, x0, direction, -eps, weight, shape, d))
                    / (2 * eps);
            double rel2 = Math.abs(fd2 - directional2) / Math.abs(fd2);
            System.out.printf(
                    "gradient %s of sum(increment) + sum(weight rate): autograd %.6f, central difference"
                            + " %.6f, relative %.2e%n",
                    scheme, directional2, fd2, rel2);
            assertEquals(0, rel2, 1e-3);
        }
    }

    /** {@code x0 + eps dir}. */
    private static float[] perturbed(float[] x0, float[] dir, double eps) {
        float[] xp = new float[x0.length];
        for (int i = 0; i < xp.length; i++) {
            xp[i] = (float) (x0[i] + eps * dir[i]);
        }
        return xp;
    }

    private static double loss(
            NavierStokes2d ns,
            NDManager m,
            float[] x0,
            float[] dir,
            double eps,
            float[] weight,
            Shape shape,
            double d) {
        float[] xp = perturbed(x0, dir, eps);
        try (NDManager scope = m.newSubManager()) {
            float[] out = ns.advance(scope.create(xp, shape), d).toFloatArray();
            double s = 0;
            for (int i = 0; i < out.length; i++) {
                s += (double) weight[i] * out[i] + (double) out[i] * out[i];
            }
            return s;
        }
    }

    private static double loss2(
            NavierStokes2d ns,
            NDManager m,
            float[] x0,
            float[] dir,
            double eps,
            float[] weight,
            Shape shape,
            double d) {
        float[] xp = perturbed(x0, dir, eps);
        try (NDManager scope = m.newSubManager()) {
            NDArray x = scope.create(xp, shape);
            float[] inc = ns.increment(x, d).toFloatArray();
            float[] rate = ns.rate(x).toFloatArray();
            double s = 0;
            for (int i = 0; i < inc.length; i++) {
                s += inc[i] + (double) weight[i] * rate[i];
            }
            return s;
        }
    }

    @Test
    void errorsShrinkWithTheSchemesOrderInTheTimeStep() {
        int n = 32;
        double nu = 0.5; // a stiff enough linear part that CN_RK4's error stays far above float32 round-off
        double t = 1.0;
        float[] w0 = smoothField(n);
        double[] dts = {0.2, 0.1, 0.05};
        try (NDManager m = manager.newSubManager()) {
            double[] forcing = NavierStokes2d.kolmogorovForcing(n, 2);
            float[] reference = solveFor(m, nu, forcing, dts[0] / 32, Scheme.CN_RK4, w0, t);
            // the reference's own error is below its distance to a run with twice its step (about 3 times
            // that error at second order, plus round-off)
            double referenceError = relativeL2(solveFor(m, nu, forcing, dts[0] / 16, Scheme.CN_RK4, w0, t), reference);
            for (Scheme scheme : Scheme.values()) {
                double[] errors = new double[dts.length];
                for (int j = 0; j < dts.length; j++) {
                    errors[j] = relativeL2(solveFor(m, nu, forcing, dts[j], scheme, w0, t), reference);
                }
                double order1 = Math.log(errors[0] / errors[1]) / Math.log(2);
                double order2 = Math.log(errors[1] / errors[2]) / Math.log(2);
                System.out.printf(
                        "convergence %s: errors %.2e %.2e %.2e (reference within %.1e), observed orders"
                                + " %.2f %.2f%n",
                        scheme, errors[0], errors[1], errors[2], referenceError, order1, order2);
                // every error is well above the reference's, so the observed order is the scheme's
                assertTrue(errors[2] > 5 * referenceError, scheme + " smallest error " + errors[2]);
                if (scheme == Scheme.CN_EULER) {
                    // first order (measured 1.19 and 1.09: the first ratio still carries a second-order part)
                    assertEquals(1.0, order1, 0.3);
                    assertEquals(1.0, order2, 0.3);
                } else {
                    // second order, set by the Crank-Nicolson part (measured 2.0 and 2.0)
                    assertTrue(order1 > 1.8 && order2 > 1.8, "CN_RK4 orders " + order1 + ", " + order2);
                }
            }
        }
    }

    @Test
    void withoutALinearPartCnRk4IsTheFourthOrderExplicitScheme() {
        // nu = alpha = 0 makes every Crank-Nicolson factor 1: what is left is the low-storage RK4 of
        // Carpenter and Kennedy, whose fourth order checks the transcribed coefficients
        float[] w0 = smoothField(32);
        double t = 1.0;
        try (NDManager m = manager.newSubManager()) {
            float[] reference = solveFor(m, 0, null, 0.2 / 16, Scheme.CN_RK4, w0, t);
            // bounded by the distance to a run with 4 times the reference's step (a fourth-order error 256 times
            // larger)
            double referenceError = relativeL2(solveFor(m, 0, null, 0.2 / 4, Scheme.CN_RK4, w0, t), reference);
            double coarse = relativeL2(solveFor(m, 0, null, 0.2, Scheme.CN_RK4, w0, t), reference);
            double fine = relativeL2(solveFor(m, 0, null, 0.1, Scheme.CN_RK4, w0, t), reference);
            double order = Math.log(coarse / fine) / Math.log(2);
            System.out.printf(
                    "inviscid CN_RK4: errors %.2e %.2e (reference within %.1e), observed order %.2f%n",
                    coarse, fine, referenceError, order);
            assertTrue(fine > 5 * referenceError, "finer error " + fine);
            assertTrue(order > 3.5, "observed order " + order); // measured 3.97
        }
    }

    static float[] solveFor(NDManager m, double nu, double[] forcing, double dt, Scheme scheme, float[] w0, double t) {
        try (NDManager scope = m.newSubManager();
                NavierStokes2d ns = new NavierStokes2d(scope, nu, 0, forcing, dt, scheme)) {
            return ns.advance(
                            scope.create(w0, new Shape(1, (long) Math.sqrt(w0.length), (long) Math.sqrt(w0.length))), t)
                    .toFloatArray();
        }
    }

    @Test
    void subStepsAreEqualAndComposeLikeSingleSteps() {
        int n = 16;
        try (NDManager m = manager.newSubManager();
                NavierStokes2d ns =
                        new NavierStokes2d(m, 0.01, 0.0, NavierStokes2d.kolmogorovForcing(n, 3), 0.03, Scheme.CN_RK4)) {
            assertEquals(4, ns.subSteps(0.1));
            assertEquals(3, ns.subSteps(0.09)); // 0.09 / 0.03 is a rounding error above 3
            assertEquals(1, ns.subSteps(1e-9));
            assertEquals(0, ns.subSteps(0));
            NDArray x = m.create(smoothField(n), new Shape(n, n));
            NDArray stepwise = x;
            for (int i = 0; i < 4; i++) {
                stepwise = ns.advance(stepwise, 0.025);
            }
            // the same sub-steps; stepwise adds a transform round trip (float32 round-off) between them
            assertArrayEquals(stepwise.toFloatArray(), ns.advance(x, 0.1).toFloatArray(), 1e-5f);
            assertArrayEquals(x.toFloatArray(), ns.advance(x, 0).toFloatArray(), 0f);
            assertArrayEquals(new float[n * n], ns.increment(x, 0).toFloatArray(), 0f);
            assertNull(ns.fourierSymbol(n, 0.1), "the step is nonlinear: no Fourier symbol");
        }
    }

    @Test
    void describesItselfAndRejectsBadArguments() {
        try (NDManager m = manager.newSubManager();
                NavierStokes2d ns = new NavierStokes2d(
                        m, 0.001, 0.1, NavierStokes2d.kolmogorovForcing(8, 4), 0.01, Scheme.CN_RK4)) {
            assertTrue(
                    ns.describe().startsWith("navier-stokes-2d(nu=0.001, alpha=0.1, CN_RK4, dt<=0.01, forcing=8x8:"),
                    ns.describe());
            assertEquals(
                    "navier-stokes-2d(nu=0.0, alpha=0.0, CN_RK4, dt<=0.5, forcing=none)",
                    new NavierStokes2d(m, 0, 0, 0.5).describe());
            assertMessage(
                    "viscosity nu must be finite and >= 0, got -1.0",
                    () -> new NavierStokes2d(m, -1, 0, null, 0.1, Scheme.CN_RK4));
            assertMessage(
                    "viscosity nu must be finite and >= 0, got NaN",
                    () -> new NavierStokes2d(m, Double.NaN, 0, null, 0.1, Scheme.CN_RK4));
            assertMessage(
                    "drag alpha must be finite and >= 0, got -0.5",
                    () -> new NavierStokes2d(m, 0, -0.5, null, 0.1, Scheme.CN_RK4));
            assertMessage(
                    "maximum time step dtMax must be finite and > 0, got 0.0",
                    () -> new NavierStokes2d(m, 0, 0, null, 0, Scheme.CN_RK4));
            assertMessage(
                    "forcing must hold N * N values of a square grid, got 10 values",
                    () -> new NavierStokes2d(m, 0, 0, new double[10], 0.1, Scheme.CN_RK4));
            double[] bad = new double[16];
            bad[5] = Double.POSITIVE_INFINITY;
            assertMessage(
                    "forcing value Infinity at (row 1, column 1) is not finite",
                    () -> new NavierStokes2d(m, 0, 0, bad, 0.1, Scheme.CN_RK4));
            assertThrows(NullPointerException.class, () -> new NavierStokes2d(m, 0, 0, null, 0.1, null));

            NDArray x = m.zeros(new Shape(2, 8, 8));
            assertMessage(
                    "forcing is given on a 8 x 8 grid, the fields are (2, 16, 16)",
                    () -> ns.increment(m.zeros(new Shape(2, 16, 16)), 0.1));
            assertMessage(
                    "Navier-Stokes step expects square fields [..., N, N], got (2, 8, 9)",
                    () -> ns.increment(m.zeros(new Shape(2, 8, 9)), 0.1));
            assertMessage(
                    "Navier-Stokes step expects float32 fields, got float64",
                    () -> ns.increment(m.zeros(new Shape(8, 8), DataType.FLOAT64), 0.1));
            assertMessage("time span d must be finite and >= 0, got NaN", () -> ns.increment(x, Double.NaN));
            assertMessage(
                    "time span d must be finite and >= 0, got Infinity",
                    () -> ns.increment(x, Double.POSITIVE_INFINITY));
            assertMessage("time span d must be finite and >= 0, got -0.1", () -> ns.advance(x, -0.1));
        }
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        assertEquals(
                expected, assertThrows(IllegalArgumentException.class, call).getMessage());
    }

    /**
     * One CN_EULER step and the drift in float64 on the host, written independently of the solver:
     * full (not half) complex spectra by a direct separable DFT, derivatives and the 2/3 rule per mode.
     */
    static final class HostSolver {
        final int n;
        final double nu;
        final double alpha;
        final double[][] forcingHat;

        HostSolver(int n, double nu, double alpha, double[] forcing) {
            this.n = n;
            this.nu = nu;
            this.alpha = alpha;
            this.forcingHat = dft(forcing, new double[n * n], -1);
        }

        /** {@code sum_{r,c} z[r][c] exp(sign 2 pi i (ky r + kx c) / n)} over the full grid, {re, im}. */
        double[][] dft(double[] re, double[] im, int sign) {
            double[] outRe = new double[n * n];
            double[] outIm = new double[n * n];
            for (int ky = 0; ky < n; ky++) {
                for (int kx = 0; kx < n; kx++) {
                    double sr = 0;
                    double si = 0;
                    for (int r = 0; r < n; r++) {
                        for (int c = 0; c < n; c++) {
                            double angle = sign * 2 * Math.PI * ((ky * r + kx * c) % n) / n;
                            double cos = Math.cos(angle);
                            double sin = Math.sin(angle);
                            sr += re[r * n + c] * cos - im[r * n + c] * sin;
                            si += re[r * n + c] * sin + im[r * n + c] * cos;
                        }
                    }
                    outRe[ky * n + kx] = sr;
                    outIm[ky * n + kx] = si;
                }
            }
            return new double[][] {outRe, outIm};
        }

        /** The real part of the inverse transform (with 1 / n^2). */
        double[] inverse(double[][] hat) {
            double[] re = dft(hat[0], hat[1], 1)[0];
            for (int i = 0; i < re.length; i++) {
                re[i] /= (double) n * n;
            }
            return re;
        }

        int k(int index) {
            return index < (n + 1) / 2 ? index : index - n;
        }

        /** A first derivative's wavenumber: 0 on the Nyquist mode of an even grid. */
        int odd(int index) {
            return n % 2 == 0 && index == n / 2 ? 0 : k(index);
        }

        /** {@code -mask * FFT(u w_x + v w_y)}. */
        double[][] dealiasedAdvection(double[][] w) {
            int cells = n * n;
            double[][] u = {new double[cells], new double[cells]};
            double[][] v = {new double[cells], new double[cells]};
            double[][] wx = {new double[cells], new double[cells]};
            double[][] wy = {new double[cells], new double[cells]};
            for (int r = 0; r < n; r++) {
                for (int c = 0; c < n; c++) {
                    int i = r * n + c;
                    double k2 = (double) k(r) * k(r) + (double) k(c) * k(c);
                    double psiRe = k2 == 0 ? 0 : w[0][i] / k2;
                    double psiIm = k2 == 0 ? 0 : w[1][i] / k2;
                    // i * a * (p + i q) = -a q + i a p
                    u[0][i] = -odd(r) * psiIm;
                    u[1][i] = odd(r) * psiRe;
                    v[0][i] = odd(c) * psiIm;
                    v[1][i] = -odd(c) * psiRe;
                    wx[0][i] = -odd(c) * w[1][i];
                    wx[1][i] = odd(c) * w[0][i];
                    wy[0][i] = -odd(r) * w[1][i];
                    wy[1][i] = odd(r) * w[0][i];
                }
            }
            double[] ur = inverse(u);
            double[] vr = inverse(v);
            double[] wxr = inverse(wx);
            double[] wyr = inverse(wy);
            double[] a = new double[cells];
            for (int i = 0; i < cells; i++) {
                a[i] = ur[i] * wxr[i] + vr[i] * wyr[i];
            }
            double[][] hat = dft(a, new double[cells], -1);
            for (int r = 0; r < n; r++) {
                for (int c = 0; c < n; c++) {
                    boolean keep = 3 * Math.abs(k(r)) < n && 3 * Math.abs(k(c)) < n;
                    hat[0][r * n + c] = keep ? -hat[0][r * n + c] : 0;
                    hat[1][r * n + c] = keep ? -hat[1][r * n + c] : 0;
                }
            }
            return hat;
        }

        double linear(int i) {
            int r = i / n;
            int c = i % n;
            return -nu * ((double) k(r) * k(r) + (double) k(c) * k(c)) - alpha;
        }

        /** {@code w <- [(1 + dt/2 L) w + dt (F_adv + f)] / (1 - dt/2 L)}, optionally without advection. */
        double[] eulerStep(double[] w0, double dt, boolean advection) {
            double[][] w = dft(w0, new double[n * n], -1);
            double[][] adv = advection ? dealiasedAdvection(w) : new double[][] {new double[n * n], new double[n * n]};
            double[][] next = {new double[n * n], new double[n * n]};
            for (int i = 0; i < n * n; i++) {
                double l = linear(i);
                for (int part = 0; part < 2; part++) {
                    next[part][i] = ((1 + dt / 2 * l) * w[part][i] + dt * (adv[part][i] + forcingHat[part][i]))
                            / (1 - dt / 2 * l);
                }
            }
            return inverse(next);
        }

        /** {@code nu Lap w - alpha w + f - mask(u . grad w)}. */
        double[] rate(double[] w0) {
            double[][] w = dft(w0, new double[n * n], -1);
            double[][] adv = dealiasedAdvection(w);
            double[][] r = {new double[n * n], new double[n * n]};
            for (int i = 0; i < n * n; i++) {
                for (int part = 0; part < 2; part++) {
                    r[part][i] = linear(i) * w[part][i] + adv[part][i] + forcingHat[part][i];
                }
            }
            return inverse(r);
        }
    }
}
