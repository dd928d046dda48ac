package dev.smdp4j.problem.toy;

import java.util.Arrays;
import java.util.List;

/**
 * The exact marginal density of the paper's one-dimensional toy SDE, from its Fokker-Planck
 * equation, and the exact score {@code d/dx log p_t(x)}: an independent reference in double
 * precision, with no DJL.
 *
 * <p>The process, in forward time {@code t} in {@code [0, T]}:
 * {@code dx = -lambda sign(x) x^2 dt + g dW} with {@code x(0) = +1} or {@code -1} with
 * probability 1/2 each (the paper: {@code lambda = 7}, {@code g = 0.03}, {@code T = 10}). Its
 * density solves {@code dp/dt = -dJ/dx} with the flux {@code J = f(x) p - D dp/dx},
 * {@code f(x) = -lambda sign(x) x^2}, {@code D = g^2 / 2}.
 *
 * <h2>The scheme</h2>
 * The delta peaks at {@code +-1} cannot be put on a grid, so the solution starts at a small
 * {@code t0 > 0} from a short-time closure, a mixture of two Gaussians ({@link ShortTimeClosure});
 * from there {@link FokkerPlanckSolver} steps conservative finite volumes on a stretched grid with
 * Crank-Nicolson on a problem-adapted clock and stores {@code log p} of the trusted cells at about
 * 3800 times; each stored density answers {@code log p} and the score anywhere, continuing Gaussian
 * tails beyond the trusted cells ({@link StoredDensity}). In time, {@link #density} is interpolated
 * linearly in {@code p} (so it integrates to the interpolated mass) and {@link #score} linearly. The
 * score is therefore finite for every finite {@code x} and every {@code t} in {@code [0, T]} (at
 * {@code t = 0} it is the closure's at {@code 10^-6 t0}). Each class comment gives its part of the
 * scheme in full.
 *
 * <h2>Accuracy and cost</h2>
 * With the defaults and the paper's parameters, against the same scheme with 48000 cells and 16000
 * steps run to each time (same {@code t0}; second order, so its own error should be about 9 times
 * smaller): the density differs by at most {@code 1.9e-3} of its peak at {@code t = 0.03} and
 * {@code 0.1}, {@code 9e-4} at {@code t = 0.5}, {@code 2.3e-4} at {@code t = 2} and {@code 1.6e-5}
 * at {@code t = 10}. The score,
 * where {@code p} is above {@code 1e-3} of its peak, differs by at most {@code 0.051 / sd} at
 * {@code t <= 0.1}, {@code 0.024 / sd} at {@code t = 0.5} and {@code 0.005 / sd} from {@code t = 2}
 * on ({@code sd = sqrt(v(t))}, the score's own scale), and relative to {@code 1 / sd + |score|} by
 * at most {@code 1.1%, 0.5%, 0.09%, 0.04%} at {@code t = 0.03, 0.5, 2, 10}, growing to
 * {@code 4.8%, 1.6%, 0.7%, 0.6%} where {@code p} is {@code 1e-30} of its peak. The error is
 * dominated by the early, drift-dominated phase and is second order in the cell width and the step.
 * Beyond the trusted cells the continuation is only an extrapolation (for instance at
 * {@code t = 10}, {@code x = 0.3} it gives {@code -1343} where the nearly stationary density's score
 * is about {@code -2 lambda x^2 / g^2 = -1400}).
 *
 * <p>{@link #defaults} (16000 cells, 8000 steps, single-threaded) takes 1.9 to 2.8 s in a fresh JVM
 * and 1.4 to 2.4 s once compiled, measured on a 2-core machine shared with other work (load average
 * about 3); the steps take most of it, about 11 ns per cell and step.
 */
public final class FokkerPlanck {
    private final double lambda;
    private final double g;
    private final double startTime;
    private final double endTime;
    private final double[] centers;
    private final double[] times;
    private final StoredDensity[] snapshots;
    private final double mostNegative;

    FokkerPlanck(
            double lambda,
            double g,
            double startTime,
            double endTime,
            double[] centers,
            List<Double> times,
            List<StoredDensity> snapshots,
            double mostNegative) {
        this.lambda = lambda;
        this.g = g;
        this.startTime = startTime;
        this.endTime = endTime;
        this.centers = centers;
        this.times = new double[times.size()];
        for (int i = 0; i < this.times.length; i++) {
            this.times[i] = times.get(i);
        }
        this.snapshots = snapshots.toArray(new StoredDensity[0]);
        this.mostNegative = mostNegative;
    }

    /**
     * The solution with a grid fine enough for the paper's parameters:
     * {@code solve(lambda, g, endTime, -L, L, 16000, 8000)} with
     * {@code L = 1 + max(0.1, 15 s)} and {@code s = min(g sqrt(endTime), g / sqrt(4 lambda))}, the
     * spread of a peak beyond its start (the smaller of free diffusion and the balance of diffusion
     * with the drift's contraction {@code 2 lambda} at {@code |x| = 1}); {@code L = 1.1} for the paper.
     */
    public static FokkerPlanck defaults(double lambda, double g, double endTime) {
        double spread = g * Math.sqrt(endTime);
        if (lambda > 0) {
            spread = Math.min(spread, g / Math.sqrt(4 * lambda));
        }
        double l = 1 + Math.max(0.1, 15 * spread);
        return solve(lambda, g, endTime, -l, l, 16000, 8000);
    }

    /**
     * Solves the Fokker-Planck equation from the closure at the start time to {@code endTime}
     * (scheme in the class comment).
     *
     * @param lambda drift strength, at least 0
     * @param g noise scale, positive
     * @param endTime the horizon {@code T}
     * @param xMin left end of the grid, below -1
     * @param xMax right end of the grid, above 1
     * @param cells number of finite-volume cells, at least 16
     * @param timeSteps number of Crank-Nicolson steps from the start time to {@code endTime}
     */
    public static FokkerPlanck solve(
            double lambda, double g, double endTime, double xMin, double xMax, int cells, int timeSteps) {
        if (!(lambda >= 0
                        && g > 0
                        && endTime > 0
                        && xMin < -1
                        && xMax > 1
                        && Double.isFinite(lambda)
                        && Double.isFinite(g)
                        && Double.isFinite(endTime)
                        && Double.isFinite(xMin)
                        && Double.isFinite(xMax))
                || cells < 16
                || timeSteps < 1) {
            throw new IllegalArgumentException(
                    "need lambda >= 0, g > 0, endTime > 0, xMin < -1, xMax > 1, cells >= 16, timeSteps >= 1");
        }
        return FokkerPlanckSolver.solve(lambda, g, endTime, xMin, xMax, cells, timeSteps);
    }

    // ---------------------------------------------------------------- queries

    /**
     * The density {@code p_t(x)}: the closure for {@code t <= t0}, else interpolated from the stored
     * times, continued as Gaussian tails outside the trusted cells (class comment).
     *
     * @throws IllegalArgumentException if {@code x} is not finite or {@code t} is outside {@code [0, T]}
     */
    public double density(double x, double t) {
        checkArguments(x, t);
        if (t <= startTime) {
            double tt = Math.max(t, 1e-6 * startTime);
            double m = ShortTimeClosure.mean(lambda, tt);
            return Math.exp(ShortTimeClosure.logDensity(x, m, ShortTimeClosure.variance(lambda, g, tt)));
        }
        int k = interval(t);
        double w = weight(k, t);
        int i = nodeAtOrBelow(x);
        return (1 - w) * Math.exp(snapshots[k].evaluate(i, x)[0])
                + w * Math.exp(snapshots[k + 1].evaluate(i, x)[0]);
    }

    /**
     * The score {@code d/dx log p_t(x)}: the closure's for {@code t <= t0}, else interpolated from the
     * stored times, continued as Gaussian tails outside the trusted cells (class comment). Always
     * finite.
     *
     * @throws IllegalArgumentException if {@code x} is not finite or {@code t} is outside {@code [0, T]}
     */
    public double score(double x, double t) {
        checkArguments(x, t);
        double s;
        if (t <= startTime) {
            double tt = Math.max(t, 1e-6 * startTime);
            double m = ShortTimeClosure.mean(lambda, tt);
            s = ShortTimeClosure.score(x, m, ShortTimeClosure.variance(lambda, g, tt));
        } else {
            int k = interval(t);
            double w = weight(k, t);
            int i = nodeAtOrBelow(x);
            s = StoredDensity.lerp(
                    snapshots[k].evaluate(i, x)[1], snapshots[k + 1].evaluate(i, x)[1], w);
        }
        return Math.max(-Double.MAX_VALUE, Math.min(Double.MAX_VALUE, s));
    }

    /**
     * The total mass {@code sum_i p_i w_i} at {@code t}, interpolated linearly between stored times (1
     * for {@code t <= t0}).
     */
    public double mass(double t) {
        checkArguments(0, t);
        if (t <= startTime) {
            return 1;
        }
        int k = interval(t);
        double w = weight(k, t);
        return (1 - w) * snapshots[k].mass + w * snapshots[k + 1].mass;
    }

    /** The cell centres, increasing (a copy). */
    public double[] grid() {
        return centers.clone();
    }

    /** The start time {@code t0} of the finite-volume solution (the closure answers before it). */
    public double startTime() {
        return startTime;
    }

    /** The horizon {@code T}. */
    public double endTime() {
        return endTime;
    }

    /** How many times are stored. */
    public int storedTimes() {
        return times.length;
    }

    /** The most negative cell value met during the solve (0 if none). */
    double mostNegative() {
        return mostNegative;
    }

    /** How many doubles the stored densities hold. */
    long storedValues() {
        long n = 0;
        for (StoredDensity s : snapshots) {
            n += s.stored();
        }
        return n;
    }

    private void checkArguments(double x, double t) {
        if (!Double.isFinite(x)) {
            throw new IllegalArgumentException("x = " + x);
        }
        if (!(t >= 0 && t <= endTime)) {
            throw new IllegalArgumentException("t = " + t + " outside [0, " + endTime + "]");
        }
    }

    /** k with {@code times[k] <= t <= times[k+1]}, clamped to the first and last interval. */
    private int interval(double t) {
        int k = Arrays.binarySearch(times, t);
        if (k < 0) {
            k = -k - 2;
        }
        return Math.max(0, Math.min(times.length - 2, k));
    }

    private double weight(int k, double t) {
        return Math.max(0, Math.min(1, (t - times[k]) / (times[k + 1] - times[k])));
    }

    /** The last node i with {@code centers[i] <= x}, -1 if none. */
    private int nodeAtOrBelow(double x) {
        int i = Arrays.binarySearch(centers, x);
        return i >= 0 ? i : -i - 2;
    }
}
