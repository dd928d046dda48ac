package dev.smdp4j.problem.toy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The numerical solution behind {@link FokkerPlanck}: from the {@link ShortTimeClosure} at the start
 * time {@code t0} to {@code T}, storing the density as it goes (as {@link StoredDensity}).
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
 * about 50), where nothing is trusted ({@link StoredDensity}).
 *
 * <h2>Storage</h2>
 * The density is stored whenever it has changed by 0.02 in L1 since the last stored time, and at
 * {@code T} (defaults: about 3800 times). Of each stored density only {@code log p} of the trusted
 * cells is kept ({@link StoredDensity}); with the defaults that is 7.8 million doubles, 63 MB. If
 * the stored values exceed 20 million doubles, every other stored time is dropped and the threshold
 * doubled.
 */
final class FokkerPlanckSolver {
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
    /** Upper bound on the stored values (doubles), 160 MB. */
    private static final long MAX_STORED = 20_000_000L;
    /** The peaks have moved this fraction inwards at the start time. */
    private static final double START_DISPLACEMENT = 0.07;
    /** At the start time the closure's standard deviation spans at least this many cells. */
    private static final double START_CELLS = 8;

    private FokkerPlanckSolver() {}

    /** Solves with arguments that {@link FokkerPlanck#solve} has checked. */
    static FokkerPlanck solve(
            double lambda, double g, double endTime, double xMin, double xMax, int cells, int timeSteps) {
        double[] f = faces(xMin, xMax, cells);
        double[] c = new double[cells];
        double[] w = new double[cells];
        for (int i = 0; i < cells; i++) {
            c[i] = 0.5 * (f[i] + f[i + 1]);
            w[i] = f[i + 1] - f[i];
        }
        double t0 = startTime(lambda, g, endTime, f);
        double[] p = initial(lambda, g, t0, c, w);

        double[][] operator = operator(lambda, g, f, c, w);
        double[] lo = operator[0];
        double[] di = operator[1];
        double[] up = operator[2];

        List<Double> times = new ArrayList<>();
        List<StoredDensity> snaps = new ArrayList<>();
        times.add(t0);
        snaps.add(new StoredDensity(p, w, c));
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
            double blockEnd =
                    done + steps == timeSteps ? endTime : clockInverse(clock, clockEnd * (done + steps) / timeSteps);
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
                    StoredDensity snap = new StoredDensity(p, w, c);
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

    /**
     * The finite-volume operator {@code dp/dt = A p}, tridiagonal, as its {sub-diagonal, diagonal,
     * super-diagonal} (class comment, "Space").
     */
    private static double[][] operator(double lambda, double g, double[] f, double[] c, double[] w) {
        int cells = c.length;
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
        return new double[][] {lo, di, up};
    }

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
            int cell = cellOf(faces, ShortTimeClosure.mean(lambda, mid));
            double width = faces[cell + 1] - faces[cell];
            if (ShortTimeClosure.variance(lambda, g, mid) < START_CELLS * START_CELLS * width * width) {
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
        double m = ShortTimeClosure.mean(lambda, t0);
        double v = ShortTimeClosure.variance(lambda, g, t0);
        double[] p = new double[c.length];
        double mass = 0;
        for (int i = 0; i < c.length; i++) {
            p[i] = Math.exp(ShortTimeClosure.logDensity(c[i], m, v));
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
            double m = ShortTimeClosure.mean(lambda, mid);
            double rate = lambda * m * m / Math.sqrt(ShortTimeClosure.variance(lambda, g, mid)) + LOG_CLOCK / mid;
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
    private static long thin(List<Double> times, List<StoredDensity> snaps) {
        List<Double> keptTimes = new ArrayList<>();
        List<StoredDensity> kept = new ArrayList<>();
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
}
