package dev.smdp4j.problem.toy;

import java.util.ArrayList;
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
 * <h2>Start: the short-time closure</h2>
 * The delta peaks at {@code +-1} cannot be put on a grid, so the solver starts at a small
 * {@code t0 > 0} from the mixture {@code (N(m, v) + N(-m, v)) / 2} with the deterministic path
 * {@code m(t) = 1 / (1 + lambda t)} and the variance of the dynamics linearised about it,
 * {@code v' = -4 lambda m v + g^2}, i.e.
 * {@code v(t) = g^2 ((1 + lambda t)^5 - 1) / (5 lambda (1 + lambda t)^4)} ({@code g^2 t} for
 * {@code lambda = 0}, where the mixture is exact). {@code t0 = 0.07 / lambda} (the peaks have moved
 * 7% of the way in; {@code 10^-3 T} for {@code lambda = 0}), or later if needed for the closure's
 * standard deviation to span 8 cells where the peak sits. For {@code t <= t0} every query answers
 * from the closure itself. With the paper's parameters {@code t0 = 0.01} and
 * {@code sqrt(v(t0)) = 0.0028}; the closure neglects a skewness of relative order
 * {@code sqrt(v) / m = 0.003}. Measured against this solver with 48000 cells started at
 * {@code t = 3.5e-5}: at {@code t0} the closure's density differs by {@code 3.6e-4} of its peak and
 * its score by {@code 0.012 / sqrt(v)} where the density is above {@code 1e-3} of its peak (at most
 * {@code 4.8e-4} and {@code 0.028 / sqrt(v)} for {@code t <= 0.05}).
 *
 * <h2>Space: conservative finite volumes on a stretched grid</h2>
 * The unknowns are cell averages {@code p_i} on {@code [xMin, xMax]}; the cells are spaced with
 * density proportional to {@code 1 + 6 min(x^2, 1)}, i.e. 7 times finer at {@code |x| >= 1} than at
 * 0, because the peaks are narrowest and the drift fastest where they start (defaults: cell widths
 * from {@code 4.6e-4} at 0 down to {@code 6.6e-5} at {@code |x| = 1}). At each interior face the flux
 * is {@code f p_face - D (p_{i+1} - p_i) / (c_{i+1} - c_i)}, {@code p_face} interpolated linearly
 * between the cell centres (second order), when the cell Peclet number
 * {@code |f| (c_{i+1} - c_i) / D} is at most 2; above 2 it is the Scharfetter-Gummel (exponentially
 * fitted) flux, which stays monotone at any Peclet number. With the defaults the Peclet number is
 * at most 1.25, so the central flux is used throughout. Both boundary faces carry zero flux, so the
 * total mass {@code sum p_i w_i} is conserved up to rounding (measured: {@code |mass - 1| < 1e-12}
 * at {@code T = 10}). The domain must be wide enough for the density to underflow at its ends: the
 * walls reflect, and a tail that reaches them is distorted next to them.
 *
 * <h2>Time: Crank-Nicolson on a problem-adapted clock</h2>
 * Crank-Nicolson (second order, A-stable), one tridiagonal (Thomas) solve per step, with the step
 * constant within blocks of 8 steps so that the LU factors are reused. The steps are uniform in the
 * clock {@code tau(t) = int_t0^t (lambda m^2 / sqrt(v) + 5 / s) ds}: the number of peak widths the
 * peaks have travelled (from the closure's {@code m} and {@code v}), plus a logarithmic term for the
 * slow late phase. Neither central differences nor Crank-Nicolson guarantee positivity (and
 * Crank-Nicolson does not damp the stiffest modes); in practice the values stay positive except in
 * the far tails: with the defaults the most negative value met is {@code -7e-106} (the peak is
 * about 50), where nothing is trusted (next section).
 *
 * <h2>Storage and queries</h2>
 * The density is stored whenever it has changed by 0.02 in L1 since the last stored time, and at
 * {@code T} (defaults: about 3800 times). Of each stored density only {@code log p} of the trusted
 * cells is kept, in runs of consecutive cells: a cell is trusted if its value is at least
 * {@code 1e-300} and its {@code log p} differs from both neighbours' by at most 0.3, i.e. where the
 * tail is resolved by the grid (a second order scheme's relative error there is of order
 * {@code 0.3^2 / 12}); for the paper that is to about 12 standard deviations beyond the peaks at
 * {@code t = 0.01} ({@code p} is {@code 1e-30} of its peak there), 10 at {@code t = 0.5}
 * ({@code 3e-23}) and, at {@code t = 10}, to {@code |x| = 0.234} ({@code 1e-29}). With the defaults
 * that is 7.8 million doubles, 63 MB; if the stored values exceed 20 million doubles, every other
 * stored time is dropped and the threshold doubled.
 *
 * <p>Between two adjacent trusted nodes, {@code log p} is interpolated linearly in {@code x} and the
 * score is the three-point (second order, non-uniform) derivative of {@code log p} at the nodes,
 * interpolated linearly. Elsewhere, in the untrusted tails, beyond the grid or between the peaks,
 * {@code log p} is the Gaussian-tail continuation from the nearest node with a derivative: the
 * parabola with that node's {@code log p}, its score {@code s_e} and curvature {@code kappa <= 0},
 * the slope of the score over the last 4 nats (at least 8 cells) of the trusted run, so the score
 * is {@code s_e + kappa (x - c_e)}. Between two runs both sides are continued and summed, as the
 * density of a mixture of two separated Gaussians is: {@code log p} is the log-sum-exp of the two
 * parabolas and the score the corresponding softmax-weighted average of the two continued scores.
 * In time, {@link #density} is interpolated linearly in {@code p} (so it integrates to the
 * interpolated mass) and {@link #score} linearly. The score is therefore finite for every finite
 * {@code x} and every {@code t} in {@code [0, T]} (at {@code t = 0} it is the closure's at
 * {@code 10^-6 t0}).
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
    /** Cells are {@code 1 + STRETCH} times finer at {@code |x| >= 1} than at 0. */
    private static final double STRETCH = 6;
    /** Above this cell Peclet number a face uses the Scharfetter-Gummel flux. */
    private static final double MAX_CENTRAL_PECLET = 2;
    /** Weight of the logarithmic term of the clock. */
    private static final double LOG_CLOCK = 5;
    /** Steps per block of constant step length (one LU factorisation each). */
    private static final int BLOCK = 8;
    /** L1 change between stored times. */
    private static final double STORE_L1 = 0.02;
    /** Cells whose log-density differs from a neighbour's by more than this are not trusted (not stored). */
    private static final double MAX_LOG_STEP = 0.3;
    /** Cells below this are never trusted, whatever their neighbours. */
    private static final double ABSOLUTE_FLOOR = 1e-300;
    /** Upper bound on the stored values (doubles), 160 MB. */
    private static final long MAX_STORED = 20_000_000L;
    /** The peaks have moved this fraction inwards at the start time. */
    private static final double START_DISPLACEMENT = 0.07;
    /** At the start time the closure's standard deviation spans at least this many cells. */
    private static final double START_CELLS = 8;
    /** The tail continuation's curvature is measured over at least this many cells ... */
    private static final int TAIL_SPAN = 8;
    /** ... and over the last this many nats of log p before the edge. */
    private static final double TAIL_NATS = 4;

    private final double lambda;
    private final double g;
    private final double startTime;
    private final double endTime;
    private final double[] centers;
    private final double[] times;
    private final Snapshot[] snapshots;
    private final double mostNegative;

    private FokkerPlanck(double lambda, double g, double startTime, double endTime, double[] centers,
            List<Double> times, List<Snapshot> snapshots, double mostNegative) {
        this.lambda = lambda;
        this.g = g;
        this.startTime = startTime;
        this.endTime = endTime;
        this.centers = centers;
        this.times = new double[times.size()];
        for (int i = 0; i < this.times.length; i++) {
            this.times[i] = times.get(i);
        }
        this.snapshots = snapshots.toArray(new Snapshot[0]);
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
    public static FokkerPlanck solve(double lambda, double g, double endTime, double xMin, double xMax, int cells,
            int timeSteps) {
        if (!(lambda >= 0 && g > 0 && endTime > 0 && xMin < -1 && xMax > 1 && Double.isFinite(lambda)
                && Double.isFinite(g) && Double.isFinite(endTime) && Double.isFinite(xMin) && Double.isFinite(xMax))
                || cells < 16 || timeSteps < 1) {
            throw new IllegalArgumentException(
                    "need lambda >= 0, g > 0, endTime > 0, xMin < -1, xMax > 1, cells >= 16, timeSteps >= 1");
        }
        double[] f = faces(xMin, xMax, cells);
        double[] c = new double[cells];
        double[] w = new double[cells];
        for (int i = 0; i < cells; i++) {
            c[i] = 0.5 * (f[i] + f[i + 1]);
            w[i] = f[i + 1] - f[i];
        }
        double t0 = startTime(lambda, g, endTime, f);
        double[] p = initial(lambda, g, t0, c, w);

        // Face j (1..cells-1), between cells j-1 and j, carries J_j = a[j] p_{j-1} - b[j] p_j; J_0 = J_cells = 0.
        double diffusion = 0.5 * g * g;
        double[] a = new double[cells + 1];
        double[] b = new double[cells + 1];
        for (int j = 1; j < cells; j++) {
            double x = f[j];
            double drift = -lambda * Math.signum(x) * x * x;
            double delta = c[j] - c[j - 1];
            double peclet = drift * delta / diffusion;
            if (Math.abs(peclet) <= MAX_CENTRAL_PECLET) {
                double left = (c[j] - x) / delta;
                a[j] = drift * left + diffusion / delta;
                b[j] = -drift * (1 - left) + diffusion / delta;
            } else {
                a[j] = diffusion / delta * bernoulli(-peclet);
                b[j] = diffusion / delta * bernoulli(peclet);
            }
        }
        // dp_i/dt = -(J_{i+1} - J_i) / w_i = lo_i p_{i-1} + di_i p_i + up_i p_{i+1}; columns sum to 0.
        double[] lo = new double[cells];
        double[] di = new double[cells];
        double[] up = new double[cells];
        for (int i = 0; i < cells; i++) {
            lo[i] = a[i] / w[i];
            up[i] = b[i + 1] / w[i];
            di[i] = -(b[i] + a[i + 1]) / w[i];
        }

        List<Double> times = new ArrayList<>();
        List<Snapshot> snaps = new ArrayList<>();
        times.add(t0);
        snaps.add(new Snapshot(p, w));
        long stored = snaps.get(0).stored();
        double threshold = STORE_L1;
        double mostNegative = 0;
        double[] last = p.clone();
        double[] y = new double[cells];
        double[] sub = new double[cells];
        double[] sup = new double[cells];
        double[] inv = new double[cells];
        double[][] clock = clockTable(lambda, g, t0, endTime);
        double clockEnd = clock[1][clock[1].length - 1];
        int n = cells - 1;
        double t = t0;
        int done = 0;
        while (done < timeSteps) {
            int steps = Math.min(BLOCK, timeSteps - done);
            double blockEnd = done + steps == timeSteps ? endTime
                    : clockInverse(clock, clockEnd * (done + steps) / timeSteps);
            double dt = (blockEnd - t) / steps;
            double half = 0.5 * dt;
            // LU factors of I - half A: sub-diagonal, normalised super-diagonal, inverse pivots.
            inv[0] = 1 / (1 - half * di[0]);
            sup[0] = -half * up[0] * inv[0];
            for (int i = 1; i <= n; i++) {
                sub[i] = -half * lo[i];
                inv[i] = 1 / (1 - half * di[i] - sub[i] * sup[i - 1]);
                sup[i] = -half * up[i] * inv[i];
            }
            for (int s = 0; s < steps; s++) {
                // right-hand side (I + half A) p, forward elimination ...
                y[0] = (p[0] + half * (di[0] * p[0] + up[0] * p[1])) * inv[0];
                for (int i = 1; i < n; i++) {
                    double r = p[i] + half * (lo[i] * p[i - 1] + di[i] * p[i] + up[i] * p[i + 1]);
                    y[i] = (r - sub[i] * y[i - 1]) * inv[i];
                }
                y[n] = (p[n] + half * (lo[n] * p[n - 1] + di[n] * p[n]) - sub[n] * y[n - 1]) * inv[n];
                // ... and back substitution, with the L1 change since the last stored time
                p[n] = y[n];
                double change = Math.abs(p[n] - last[n]) * w[n];
                double min = p[n];
                for (int i = n - 1; i >= 0; i--) {
                    double v = y[i] - sup[i] * p[i + 1];
                    p[i] = v;
                    change += Math.abs(v - last[i]) * w[i];
                    min = Math.min(min, v);
                }
                mostNegative = Math.min(mostNegative, min);
                done++;
                t = s == steps - 1 ? blockEnd : t + dt;
                if (change >= threshold || done == timeSteps) {
                    System.arraycopy(p, 0, last, 0, cells);
                    Snapshot snap = new Snapshot(p, w);
                    times.add(t);
                    snaps.add(snap);
                    stored += snap.stored();
                    if (stored > MAX_STORED) {
                        stored = thin(times, snaps);
                        threshold *= 2;
                    }
                }
            }
        }
        return new FokkerPlanck(lambda, g, t0, endTime, c, times, snaps, mostNegative);
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
            return Math.exp(closureLogDensity(x, closureMean(lambda, tt), closureVariance(lambda, g, tt)));
        }
        int k = interval(t);
        double w = weight(k, t);
        int i = nodeAtOrBelow(x);
        return (1 - w) * Math.exp(evaluate(snapshots[k], i, x)[0]) + w * Math.exp(evaluate(snapshots[k + 1], i, x)[0]);
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
            s = closureScore(x, closureMean(lambda, tt), closureVariance(lambda, g, tt));
        } else {
            int k = interval(t);
            double w = weight(k, t);
            int i = nodeAtOrBelow(x);
            s = lerp(evaluate(snapshots[k], i, x)[1], evaluate(snapshots[k + 1], i, x)[1], w);
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
        for (Snapshot s : snapshots) {
            n += s.stored();
        }
        return n;
    }

    /** The mean of the closure's positive peak, {@code 1 / (1 + lambda t)}. */
    static double closureMean(double lambda, double t) {
        return 1 / (1 + lambda * t);
    }

    /**
     * The closure's variance {@code g^2 ((1 + lambda t)^5 - 1) / (5 lambda (1 + lambda t)^4)},
     * {@code g^2 t} for {@code lambda = 0}.
     */
    static double closureVariance(double lambda, double g, double t) {
        if (lambda == 0) {
            return g * g * t;
        }
        double u = lambda * t;
        return g * g * Math.expm1(5 * Math.log1p(u)) / (5 * lambda * Math.pow(1 + u, 4));
    }

    /** {@code log((N(x; m, v) + N(x; -m, v)) / 2)}, without overflow. */
    static double closureLogDensity(double x, double m, double v) {
        double ax = Math.abs(x);
        return -(ax - m) * (ax - m) / (2 * v) + Math.log1p(Math.exp(-2 * m * ax / v)) - Math.log(2)
                - 0.5 * Math.log(2 * Math.PI * v);
    }

    /** The score of the closure's mixture, {@code (-x + m tanh(m x / v)) / v}. */
    static double closureScore(double x, double m, double v) {
        return (-x + m * Math.tanh(m * x / v)) / v;
    }

    // ---------------------------------------------------------------- setup

    /** The integral from 0 to {@code x} of the cell density {@code 1 + STRETCH min(x^2, 1)} (odd in x). */
    private static double cellCount(double x) {
        double ax = Math.abs(x);
        double v = ax <= 1 ? ax + STRETCH * ax * ax * ax / 3 : 1 + STRETCH / 3 + (1 + STRETCH) * (ax - 1);
        return Math.copySign(v, x);
    }

    /** Faces with equal increments of {@link #cellCount}, by bisection. */
    private static double[] faces(double xMin, double xMax, int cells) {
        double first = cellCount(xMin);
        double total = cellCount(xMax) - first;
        double[] f = new double[cells + 1];
        f[0] = xMin;
        f[cells] = xMax;
        for (int j = 1; j < cells; j++) {
            double target = first + total * j / cells;
            double lo = f[j - 1];
            double hi = xMax;
            double mid = 0.5 * (lo + hi);
            while (mid > lo && mid < hi) {
                if (cellCount(mid) < target) {
                    lo = mid;
                } else {
                    hi = mid;
                }
                mid = 0.5 * (lo + hi);
            }
            f[j] = mid;
        }
        return f;
    }

    private static double startTime(double lambda, double g, double endTime, double[] faces) {
        double rule = lambda > 0 ? START_DISPLACEMENT / lambda : 1e-3 * endTime;
        // the earliest time at which the closure's standard deviation spans START_CELLS cells at its mean
        double lo = 0;
        double hi = endTime;
        for (int it = 0; it < 100; it++) {
            double mid = 0.5 * (lo + hi);
            int cell = cellOf(faces, closureMean(lambda, mid));
            double width = faces[cell + 1] - faces[cell];
            if (closureVariance(lambda, g, mid) < START_CELLS * START_CELLS * width * width) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        double t0 = Math.max(rule, hi);
        if (t0 >= endTime) {
            throw new IllegalArgumentException("endTime " + endTime + " is not after the start time " + t0
                    + " (grid too coarse, or endTime too short)");
        }
        return t0;
    }

    private static int cellOf(double[] faces, double x) {
        int j = Arrays.binarySearch(faces, x);
        if (j < 0) {
            j = -j - 2;
        }
        return Math.max(0, Math.min(faces.length - 2, j));
    }

    /** Cell values of the closure at {@code t0}, normalised to mass 1. */
    private static double[] initial(double lambda, double g, double t0, double[] c, double[] w) {
        double m = closureMean(lambda, t0);
        double v = closureVariance(lambda, g, t0);
        double[] p = new double[c.length];
        double mass = 0;
        for (int i = 0; i < c.length; i++) {
            p[i] = Math.exp(closureLogDensity(c[i], m, v));
            mass += p[i] * w[i];
        }
        for (int i = 0; i < c.length; i++) {
            p[i] /= mass;
        }
        return p;
    }

    /** {@code z / (e^z - 1)}. */
    private static double bernoulli(double z) {
        return Math.abs(z) < 1e-8 ? 1 - 0.5 * z : z / Math.expm1(z);
    }

    /** The clock {@code tau} (class comment) by the midpoint rule on 20000 log-spaced times: {times, tau}. */
    private static double[][] clockTable(double lambda, double g, double t0, double endTime) {
        int n = 20000;
        double[] ts = new double[n + 1];
        double[] tau = new double[n + 1];
        double ratio = Math.log(endTime / t0);
        for (int k = 0; k <= n; k++) {
            ts[k] = k == n ? endTime : t0 * Math.exp(ratio * k / n);
        }
        for (int k = 1; k <= n; k++) {
            double mid = 0.5 * (ts[k] + ts[k - 1]);
            double m = closureMean(lambda, mid);
            double rate = lambda * m * m / Math.sqrt(closureVariance(lambda, g, mid)) + LOG_CLOCK / mid;
            tau[k] = tau[k - 1] + rate * (ts[k] - ts[k - 1]);
        }
        return new double[][] {ts, tau};
    }

    private static double clockInverse(double[][] table, double tau) {
        double[] ts = table[0];
        double[] ta = table[1];
        int k = Arrays.binarySearch(ta, tau);
        if (k >= 0) {
            return ts[k];
        }
        k = Math.min(ta.length - 2, -k - 2);
        double u = (tau - ta[k]) / (ta[k + 1] - ta[k]);
        return ts[k] + u * (ts[k + 1] - ts[k]);
    }

    /** Drops every other stored time except the first and the last; returns the values still stored. */
    private static long thin(List<Double> times, List<Snapshot> snaps) {
        List<Double> keptTimes = new ArrayList<>();
        List<Snapshot> kept = new ArrayList<>();
        int n = snaps.size();
        long stored = 0;
        for (int i = 0; i < n; i++) {
            if (i % 2 == 0 || i == n - 1) {
                keptTimes.add(times.get(i));
                kept.add(snaps.get(i));
                stored += snaps.get(i).stored();
            }
        }
        times.clear();
        times.addAll(keptTimes);
        snaps.clear();
        snaps.addAll(kept);
        return stored;
    }

    // ---------------------------------------------------------------- interpolation

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

    /** Linear interpolation returning an end point exactly at {@code w = 0} or {@code 1} (infinities stay there). */
    private static double lerp(double a, double b, double w) {
        return w <= 0 ? a : w >= 1 ? b : (1 - w) * a + w * b;
    }

    /**
     * {log p, score} of one stored density at x, i the last node with {@code centers[i] <= x} (-1 if
     * none): interpolated between nodes i and i + 1 if both have a derivative, else continued from the
     * nearest such nodes.
     */
    private double[] evaluate(Snapshot s, int i, double x) {
        if (i >= 0 && i + 1 < centers.length) {
            double si = derivative(s, i);
            double sj = derivative(s, i + 1);
            if (!Double.isNaN(si) && !Double.isNaN(sj)) {
                double u = (x - centers[i]) / (centers[i + 1] - centers[i]);
                return new double[] {lerp(s.logDensity(i), s.logDensity(i + 1), u), lerp(si, sj, u)};
            }
        }
        // the nearest nodes with a derivative left and right of x
        int left = -1;
        int right = Integer.MAX_VALUE;
        for (int r = 0; r < s.start.length; r++) {
            int first = firstDerivativeNode(s, r);
            int last = lastDerivativeNode(s, r);
            if (first > last) {
                continue;
            }
            if (first <= i) {
                left = Math.max(left, Math.min(last, i));
            }
            if (last > i) {
                right = Math.min(right, Math.max(first, i + 1));
            }
        }
        double[] fromLeft = left < 0 ? null : continuation(s, left, inner(s, left, -1), x);
        double[] fromRight = right == Integer.MAX_VALUE ? null : continuation(s, right, inner(s, right, +1), x);
        if (fromLeft == null && fromRight == null) {
            throw new IllegalStateException("no stored cell has a score");
        }
        if (fromRight == null) {
            return fromLeft;
        }
        if (fromLeft == null) {
            return fromRight;
        }
        // between two runs: the sum of the two continued tails
        double hi = Math.max(fromLeft[0], fromRight[0]);
        double el = Math.exp(fromLeft[0] - hi);
        double er = Math.exp(fromRight[0] - hi);
        return new double[] {hi + Math.log(el + er), (el * fromLeft[1] + er * fromRight[1]) / (el + er)};
    }

    /**
     * The Gaussian-tail continuation from node e, {log p, score} at x: {@code log p} continued as the
     * parabola with node e's value and derivative and curvature {@code kappa <= 0}, the slope of the
     * derivative between nodes e and inner (0 if they coincide).
     */
    private double[] continuation(Snapshot s, int e, int inner, double x) {
        double se = derivative(s, e);
        double kappa = inner == e ? 0 : Math.min(0, (se - derivative(s, inner)) / (centers[e] - centers[inner]));
        double d = x - centers[e];
        return new double[] {s.logDensity(e) + se * d + 0.5 * kappa * d * d, se + kappa * d};
    }

    /**
     * The node from which the continuation at edge node e measures its curvature: walking from e in
     * direction dir (into the run, -1 for a run's right end) at least TAIL_SPAN cells and on while
     * log p has risen by at most TAIL_NATS above its value at e, within the run's derivative nodes.
     */
    private int inner(Snapshot s, int e, int dir) {
        int r = s.run(e);
        int end = dir < 0 ? firstDerivativeNode(s, r) : lastDerivativeNode(s, r);
        double base = s.logDensity(e);
        int q = e;
        while (q != end && (Math.abs(q - e) < TAIL_SPAN || s.logDensity(q + dir) - base <= TAIL_NATS)) {
            q += dir;
        }
        return q;
    }

    /** The first node of run r with both neighbours stored. */
    private int firstDerivativeNode(Snapshot s, int r) {
        return Math.max(1, s.start[r] + 1);
    }

    /** The last node of run r with both neighbours stored. */
    private int lastDerivativeNode(Snapshot s, int r) {
        return Math.min(centers.length - 2, s.start[r] + s.logp[r].length - 2);
    }

    /** The three-point derivative of log p at node i if i and both neighbours are stored, else NaN. */
    private double derivative(Snapshot s, int i) {
        if (i < 1 || i > centers.length - 2) {
            return Double.NaN;
        }
        int r = s.run(i);
        if (r < 0) {
            return Double.NaN;
        }
        int a = s.start[r];
        double[] lp = s.logp[r];
        if (i - 1 < a || i + 1 >= a + lp.length) {
            return Double.NaN;
        }
        double ha = centers[i] - centers[i - 1];
        double hb = centers[i + 1] - centers[i];
        return -hb / (ha * (ha + hb)) * lp[i - 1 - a] + (hb - ha) / (ha * hb) * lp[i - a]
                + ha / (hb * (ha + hb)) * lp[i + 1 - a];
    }

    /** One stored density: its mass, and log p on the runs of consecutive trusted cells. */
    private static final class Snapshot {
        final double mass;
        final int[] start;
        final double[][] logp;

        Snapshot(double[] p, double[] widths) {
            int n = p.length;
            double m = 0;
            for (int i = 0; i < n; i++) {
                m += p[i] * widths[i];
            }
            mass = m;
            // trusted: at least ABSOLUTE_FLOOR, and |log p_i - log p_j| <= MAX_LOG_STEP for both neighbours j
            double up = Math.exp(MAX_LOG_STEP);
            double down = Math.exp(-MAX_LOG_STEP);
            boolean[] steady = new boolean[n + 1]; // steady[j]: the step between cells j-1 and j is small
            for (int j = 1; j < n; j++) {
                double ratio = p[j] / p[j - 1];
                steady[j] = p[j] >= ABSOLUTE_FLOOR && p[j - 1] >= ABSOLUTE_FLOOR && ratio <= up && ratio >= down;
            }
            boolean[] trusted = new boolean[n];
            for (int i = 0; i < n; i++) {
                trusted[i] = p[i] >= ABSOLUTE_FLOOR && (i == 0 || steady[i]) && (i == n - 1 || steady[i + 1]);
            }
            List<int[]> runs = new ArrayList<>();
            int i = 0;
            while (i < n) {
                if (trusted[i]) {
                    int j = i;
                    while (j < n && trusted[j]) {
                        j++;
                    }
                    runs.add(new int[] {i, j});
                    i = j;
                } else {
                    i++;
                }
            }
            start = new int[runs.size()];
            logp = new double[runs.size()][];
            for (int r = 0; r < runs.size(); r++) {
                int a = runs.get(r)[0];
                int b = runs.get(r)[1];
                start[r] = a;
                logp[r] = new double[b - a];
                for (int k = a; k < b; k++) {
                    logp[r][k - a] = Math.log(p[k]);
                }
            }
        }

        long stored() {
            long n = 0;
            for (double[] r : logp) {
                n += r.length;
            }
            return n;
        }

        /** The run holding node i, or -1. */
        int run(int i) {
            int r = Arrays.binarySearch(start, i);
            if (r >= 0) {
                return r;
            }
            r = -r - 2;
            return r >= 0 && i < start[r] + logp[r].length ? r : -1;
        }

        double logDensity(int i) {
            int r = run(i);
            return r >= 0 ? logp[r][i - start[r]] : Double.NEGATIVE_INFINITY;
        }
    }
}
