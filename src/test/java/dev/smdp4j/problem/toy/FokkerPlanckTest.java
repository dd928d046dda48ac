package dev.smdp4j.problem.toy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Fokker-Planck reference of the toy SDE {@code dx = -lambda sign(x) x^2 dt + g dW},
 * {@code x(0) = +-1}: mass, the drift-free closed form, symmetry, an independent Monte-Carlo
 * simulation, finiteness of the score, and a reverse-time simulation driven by the score.
 */
class FokkerPlanckTest {
    private static final double LAMBDA = 7;
    private static final double G = 0.03;
    private static final double T = 10;

    private static FokkerPlanck paper;

    @BeforeAll
    static void solvePaperCase() {
        long start = System.nanoTime();
        paper = FokkerPlanck.defaults(LAMBDA, G, T);
        System.out.printf(
                "FokkerPlanck.defaults(7, 0.03, 10): %.2f s, %d stored times, %d stored values%n",
                (System.nanoTime() - start) / 1e9, paper.storedTimes(), paper.storedValues());
    }

    /** The trapezoid integral of {@code h(x) p_t(x)} over the grid's cell centres. */
    private static double integrate(FokkerPlanck fp, double t, java.util.function.DoubleUnaryOperator h) {
        double[] c = fp.grid();
        double sum = 0;
        double prev = h.applyAsDouble(c[0]) * fp.density(c[0], t);
        for (int i = 1; i < c.length; i++) {
            double cur = h.applyAsDouble(c[i]) * fp.density(c[i], t);
            sum += 0.5 * (prev + cur) * (c[i] - c[i - 1]);
            prev = cur;
        }
        return sum;
    }

    private static double peak(FokkerPlanck fp, double t) {
        double max = 0;
        for (double x : fp.grid()) {
            max = Math.max(max, fp.density(x, t));
        }
        return max;
    }

    // ------------------------------------------------------------------ mass

    /**
     * The stored mass stays 1 within {@code 1e-6} (measured: {@code 1e-13}), and so does the trapezoid
     * integral of {@link FokkerPlanck#density} over the cell centres, also between stored times, within
     * {@code 3e-6} (measured: {@code 6e-7}, the trapezoid rule's own error).
     */
    @Test
    void massStaysOneAndTheInterpolatedDensityIntegratesToIt() {
        double[] times = {0, 0.005, paper.startTime(), 0.0137, 0.1, 0.3333, 0.5, 2, 5.55, T};
        for (double t : times) {
            assertEquals(1, paper.mass(t), 1e-6, "mass at t = " + t);
            // between stored times the density is interpolated linearly in t, so its integral is the mass too
            if (t > 0) {
                assertEquals(1, integrate(paper, t, x -> 1), 3e-6, "integral of the density at t = " + t);
            }
        }
        // the scheme is not positivity-preserving in theory; measured, the most negative value is -7e-106
        assertTrue(paper.mostNegative() > -1e-60, "most negative cell value " + paper.mostNegative());
    }

    // ------------------------------------------------------------------ lambda = 0

    /**
     * Without drift the marginal is exactly {@code (N(1, g^2 t) + N(-1, g^2 t)) / 2}; the closure the
     * solver starts from (at {@code t0 = 0.003}, where its standard deviation spans 8 cells) is then
     * exact, so the differences are the discretisation's alone. 12000 cells on {@code [-1.8, 1.8]},
     * 2000 steps; measured: the density within {@code 9.3e-4} of its peak just after the start
     * ({@code t = 0.005}), falling to {@code 1.3e-5} at {@code t = 0.5}; the score, where the density
     * is above {@code 1e-3} of its peak, within {@code 0.014 / sd}, falling to {@code 8e-4 / sd}.
     * Asserted: {@code 3e-3} and {@code 0.04 / sd}. Far below the trusted cells (20 to 100 standard
     * deviations out, between the peaks and outside them) the Gaussian-tail continuation is within
     * 6% of the exact score (the far tails inherit the start's coarser resolution); asserted: 8%.
     */
    @Test
    void withoutDriftTheSolutionIsTheClosedFormMixture() {
        double g = 0.03;
        double end = 0.5;
        FokkerPlanck free = FokkerPlanck.solve(0, g, end, -1.8, 1.8, 12000, 2000);
        assertEquals(1, free.mass(end), 1e-9);
        for (double t : new double[] {0.001, 0.005, 0.02, 0.1, 0.37, 0.5}) {
            double v = g * g * t;
            double sd = Math.sqrt(v);
            double peak = 0.5 / Math.sqrt(2 * Math.PI * v);
            double densityError = 0;
            double scoreError = 0;
            for (double x = -1.3; x <= 1.3; x += 2e-5) {
                double exact = 0.5 * (gauss(x - 1, v) + gauss(x + 1, v));
                densityError = Math.max(densityError, Math.abs(free.density(x, t) - exact) / peak);
                if (exact > 1e-3 * peak) {
                    double exactScore = (-x + Math.tanh(x / v)) / v;
                    scoreError = Math.max(scoreError, Math.abs(free.score(x, t) - exactScore) * sd);
                }
            }
            double tailError = 0;
            for (double x : new double[] {1 - 40 * sd, 1 + 20 * sd, -1 - 20 * sd, 0.3, 0.01}) {
                double exactScore = (-x + Math.tanh(x / v)) / v;
                tailError = Math.max(tailError, Math.abs(free.score(x, t) / exactScore - 1));
            }
            System.out.printf(
                    "lambda = 0, t = %g: density error %.2e of the peak, score error %.2e / sd, " + "far tails %.2e%n",
                    t, densityError, scoreError, tailError);
            assertTrue(densityError < 3e-3, "t = " + t + ": density error " + densityError);
            assertTrue(scoreError < 0.04, "t = " + t + ": score error x sd " + scoreError);
            assertTrue(tailError < 0.08, "t = " + t + ": continued score off by " + tailError);
        }
    }

    private static double gauss(double z, double v) {
        return Math.exp(-z * z / (2 * v)) / Math.sqrt(2 * Math.PI * v);
    }

    // ------------------------------------------------------------------ symmetry

    /**
     * The scheme does nothing to enforce the symmetry (the grid is built and the tridiagonal systems
     * solved from left to right), so it holds only if drift, fluxes and grid are right. Asserted to
     * {@code 1e-9} of the peak density and {@code 1e-6} of {@code 1 / sd + |score|}; measured: at most
     * {@code 8e-14} and {@code 3e-9}. At {@code x = 0} itself, between two separated peaks, the score
     * changes by {@code 2 m / v} over a width {@code v / m} around 0, so there it is only required to be
     * within {@code 1e-4 / sd} of 0 (measured {@code 2e-5 / sd}).
     */
    @Test
    void densityIsEvenAndScoreOdd() {
        for (double t : new double[] {0.005, 0.02, 0.1, 0.5, 2, 10}) {
            double peak = peak(paper, t);
            double scale = 1 / Math.sqrt(ShortTimeClosure.variance(LAMBDA, G, t));
            double densityError = 0;
            double scoreError = 0;
            for (double x = 1.3e-4; x <= 1.2; x += 1.3e-4) {
                densityError = Math.max(densityError, Math.abs(paper.density(x, t) - paper.density(-x, t)) / peak);
                double s = paper.score(x, t);
                double r = paper.score(-x, t);
                scoreError = Math.max(scoreError, Math.abs(s + r) / (scale + Math.abs(s)));
            }
            double atZero = Math.abs(paper.score(0, t)) / scale;
            System.out.printf(
                    "symmetry at t = %g: density %.1e of the peak, score %.1e, |score(0)| %.1e / sd%n",
                    t, densityError, scoreError, atZero);
            assertTrue(densityError < 1e-9, "t = " + t + ": |p(x) - p(-x)| / peak = " + densityError);
            assertTrue(scoreError < 1e-6, "t = " + t + ": score asymmetry " + scoreError);
            assertTrue(atZero < 1e-4, "t = " + t + ": score(0) x sd = " + atZero);
        }
    }

    // ------------------------------------------------------------------ Monte Carlo

    /**
     * 200 000 seeded paths of the SDE, compared at {@code t = 0.5, 2, 10} through 50 bins that hold
     * probability 1/50 each under the Fokker-Planck density (its quantiles, from the trapezoid
     * integral over the grid): each bin's count must be within 4.5 binomial standard errors
     * {@code sqrt(n p (1 - p))} of {@code n / 50} (150 bins: a correct density fails this with
     * probability about {@code 150 * 7e-6 = 1e-3}), their chi-square below 100 (49 degrees of freedom;
     * {@code P(chi2 > 100) = 3e-5}), and the mean of {@code x^2} within 4.5 standard errors of the
     * density's. Measured: worst bin 2.7 standard errors, chi-square at most 73, mean of {@code x^2}
     * within 1.4 standard errors (relative standard errors {@code 2e-4, 1.2e-3, 3e-3} at the three
     * times). About 2.5 s.
     *
     * <p>The paths are Strang-split: half a step of the drift's exact flow
     * {@code x / (1 + lambda |x| dt / 2)}, the Gaussian increment {@code g sqrt(dt) z}, half a step of
     * the flow; weak order 2, steps 0.002 up to {@code t = 2} and 0.01 after. Plain Euler-Maruyama
     * would be biased at this sample size: its deterministic part puts the peaks too far in by a
     * relative {@code lambda dt log(1 + lambda t) / (1 + lambda t)}, which with {@code dt = 0.001} is
     * 0.23% at {@code t = 0.5}: the mean of {@code x^2} lands 21 standard errors low (measured).
     */
    @Test
    void agreesWithAMonteCarloSimulationOfTheSde() {
        int paths = 200_000;
        double[] observe = {0.5, 2, 10};
        double[][] samples = simulate(paths, observe, 20240611L);
        int bins = 50;
        for (int k = 0; k < observe.length; k++) {
            double t = observe[k];
            double[] edges = quantileEdges(paper, t, bins);
            int[] counts = new int[bins];
            for (double x : samples[k]) {
                int j = Arrays.binarySearch(edges, x);
                j = j >= 0 ? j : -j - 2;
                counts[Math.max(0, Math.min(bins - 1, j))]++;
            }
            double expected = (double) paths / bins;
            double se = Math.sqrt(paths * (1.0 / bins) * (1 - 1.0 / bins));
            double chi2 = 0;
            double worst = 0;
            for (int c : counts) {
                double z = (c - expected) / se;
                chi2 += z * z;
                worst = Math.max(worst, Math.abs(z));
            }
            double m2 = integrate(paper, t, x -> x * x) / integrate(paper, t, x -> 1);
            double sum = 0;
            double sum2 = 0;
            for (double x : samples[k]) {
                sum += x * x;
                sum2 += x * x * x * x;
            }
            double mean = sum / paths;
            double meanSe = Math.sqrt((sum2 / paths - mean * mean) / paths);
            System.out.printf(
                    "Monte Carlo at t = %g: worst bin %.2f SE, chi2 %.1f (49 dof); "
                            + "E[x^2] %.6e vs %.6e (%.2f SE)%n",
                    t, worst, chi2, mean, m2, (mean - m2) / meanSe);
            assertTrue(worst < 4.5, "t = " + t + ": a bin is " + worst + " standard errors off");
            assertTrue(chi2 < 100, "t = " + t + ": chi2 = " + chi2);
            assertEquals(m2, mean, 4.5 * meanSe, "t = " + t + ": E[x^2]");
        }
    }

    /** Edges {-inf, q_1, ..., q_{bins-1}, +inf} at the density's quantiles j / bins. */
    private static double[] quantileEdges(FokkerPlanck fp, double t, int bins) {
        double[] c = fp.grid();
        double total = integrate(fp, t, x -> 1);
        double[] edges = new double[bins + 1];
        edges[0] = Double.NEGATIVE_INFINITY;
        edges[bins] = Double.POSITIVE_INFINITY;
        double cumulative = 0;
        int b = 1;
        for (int i = 1; i < c.length && b < bins; i++) {
            double step = 0.5 * (fp.density(c[i - 1], t) + fp.density(c[i], t)) * (c[i] - c[i - 1]) / total;
            while (b < bins && cumulative + step >= (double) b / bins) {
                edges[b] = c[i - 1] + ((double) b / bins - cumulative) / step * (c[i] - c[i - 1]);
                b++;
            }
            cumulative += step;
        }
        return edges;
    }

    /** Strang-split paths from +-1, recorded at the given increasing times: [time][path]. */
    private static double[][] simulate(int paths, double[] observe, long seed) {
        int chunks = 8;
        double[][] out = new double[observe.length][paths];
        IntStream.range(0, chunks).parallel().forEach(chunk -> {
            SplittableRandom random = new SplittableRandom(seed + 7919L * chunk);
            int from = (int) ((long) paths * chunk / chunks);
            int to = (int) ((long) paths * (chunk + 1) / chunks);
            double[] x = new double[to - from];
            for (int p = 0; p < x.length; p++) {
                x[p] = random.nextBoolean() ? 1 : -1;
            }
            double t = 0;
            for (int k = 0; k < observe.length; k++) {
                while (t < observe[k] - 1e-12) {
                    double dt = Math.min(t < 2 - 1e-12 ? 0.002 : 0.01, observe[k] - t);
                    double half = 0.5 * LAMBDA * dt;
                    double noise = G * Math.sqrt(dt);
                    for (int p = 0; p < x.length; p++) {
                        double y = x[p] / (1 + half * Math.abs(x[p])) + noise * random.nextGaussian();
                        x[p] = y / (1 + half * Math.abs(y));
                    }
                    t += dt;
                }
                System.arraycopy(x, 0, out[k], from, x.length);
            }
        });
        return out;
    }

    // ------------------------------------------------------------------ finiteness

    @Test
    void scoreIsFiniteOnTheTestRegionAndBeyond() {
        double[] times = new double[64];
        for (int k = 0; k < 60; k++) {
            times[k] = 1e-6 * Math.pow(1e7, k / 59.0);
        }
        times[60] = paper.startTime();
        times[61] = Math.nextUp(paper.startTime());
        times[62] = 0;
        times[63] = T;
        for (double t : times) {
            for (int i = 0; i <= 1200; i++) {
                double x = -0.3 + 0.0005 * i;
                double s = paper.score(x, t);
                assertTrue(Double.isFinite(s), "score(" + x + ", " + t + ") = " + s);
                assertTrue(Double.isFinite(paper.density(x, t)));
            }
            for (double x : new double[] {-1e6, -5, -1.1, 1.1, 5, 1e6}) {
                assertTrue(Double.isFinite(paper.score(x, t)), "score(" + x + ", " + t + ")");
            }
        }
    }

    @Test
    void rejectsQueriesOutsideItsDomain() {
        assertThrows(IllegalArgumentException.class, () -> paper.score(0, T * 1.001));
        assertThrows(IllegalArgumentException.class, () -> paper.density(0, -1e-9));
        assertThrows(IllegalArgumentException.class, () -> paper.score(Double.NaN, 1));
        assertThrows(IllegalArgumentException.class, () -> FokkerPlanck.solve(7, 0.03, 10, -0.9, 1.1, 100, 10));
    }

    // ------------------------------------------------------------------ reverse time

    /**
     * 2000 end states at the density's quantiles {@code (i + 1/2) / 2000} at {@code T = 10}, taken back
     * to {@code t = 0} by Euler-Maruyama on the reverse SDE
     * {@code x <- x + d (lambda sign(x) x^2 + g^2 score(x, t)) + g sqrt(d) z}, {@code d = 0.02}, seeded
     * noise. The exact score must split them between {@code +1} and {@code -1} (each side 40-60%) and
     * bring at least 90% within 10% of {@code +-1}. Measured: 49.6% at {@code +1}, all within 2.7% of
     * {@code +-1}, but only 12% within 1%: the mean of {@code |x|} is 0.985 (spread 0.004), short by
     * Euler's first-order error where the peaks move fastest ({@code lambda m^2 d = 0.11} in the last
     * step, from {@code m(0.02) = 0.88}); with {@code d = 0.01} and {@code 0.005} the mean is 0.996 and
     * 0.999, and 97% and 100% end within 1%.
     */
    @Test
    void reverseSdeWithTheExactScoreRecoversBothModes() {
        int n = 2000;
        double[] x = new double[n];
        double[] edges = quantileEdges(paper, T, 2 * n);
        for (int i = 0; i < n; i++) {
            x[i] = edges[2 * i + 1];
        }
        double d = 0.02;
        int steps = (int) Math.round(T / d);
        SplittableRandom random = new SplittableRandom(77);
        for (int k = steps; k >= 1; k--) {
            double t = k * d;
            for (int i = 0; i < n; i++) {
                double drift = LAMBDA * Math.signum(x[i]) * x[i] * x[i] + G * G * paper.score(x[i], t);
                x[i] += d * drift + G * Math.sqrt(d) * random.nextGaussian();
            }
        }
        int positive = 0;
        int within10 = 0;
        int within1 = 0;
        double worst = 0;
        for (double v : x) {
            assertTrue(Double.isFinite(v));
            positive += v > 0 ? 1 : 0;
            double miss = Math.abs(Math.abs(v) - 1);
            within10 += miss <= 0.1 ? 1 : 0;
            within1 += miss <= 0.01 ? 1 : 0;
            worst = Math.max(worst, miss);
        }
        System.out.printf(
                "reverse SDE, d = %g: %.1f%% at +1, %.1f%% within 10%%, %.1f%% within 1%% of +-1, "
                        + "worst miss %.3f%n",
                d, 100.0 * positive / n, 100.0 * within10 / n, 100.0 * within1 / n, worst);
        assertTrue(positive >= 0.4 * n && positive <= 0.6 * n, "fraction at +1: " + (double) positive / n);
        assertTrue(within10 >= 0.9 * n, "fraction within 10% of +-1: " + (double) within10 / n);
    }
}
