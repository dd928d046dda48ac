package dev.smdp4j.problem.toy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One density stored by {@link FokkerPlanckSolver}: its mass, and {@code log p} of the trusted cells,
 * in runs of consecutive cells, from which it answers {@code log p} and the score at any {@code x}.
 *
 * <p>A cell is trusted if its value is at least {@code 1e-300} and its {@code log p} differs from both
 * neighbours' by at most 0.3, i.e. where the tail is resolved by the grid (a second order scheme's
 * relative error there is of order {@code 0.3^2 / 12}); for the paper that is to about 12 standard
 * deviations beyond the peaks at {@code t = 0.01} ({@code p} is {@code 1e-30} of its peak there), 10
 * at {@code t = 0.5} ({@code 3e-23}) and, at {@code t = 10}, to {@code |x| = 0.234} ({@code 1e-29}).
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
 */
final class StoredDensity {
    /** Cells whose log-density differs from a neighbour's by more than this are not trusted (not stored). */
    private static final double MAX_LOG_STEP = 0.3;
    /** Cells below this are never trusted, whatever their neighbours. */
    private static final double ABSOLUTE_FLOOR = 1e-300;
    /** The tail continuation's curvature is measured over at least this many cells ... */
    private static final int TAIL_SPAN = 8;
    /** ... and over the last this many nats of log p before the edge. */
    private static final double TAIL_NATS = 4;

    final double mass;
    private final int[] start;
    private final double[][] logp;
    /** The cell centres of the grid, shared by all stored densities (not copied). */
    private final double[] centers;

    StoredDensity(double[] p, double[] widths, double[] centers) {
        this.centers = centers;
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

    /** How many values are stored. */
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

    /**
     * {log p, score} of one stored density at x, i the last node with {@code centers[i] <= x} (-1 if
     * none): interpolated between nodes i and i + 1 if both have a derivative, else continued from the
     * nearest such nodes.
     */
    double[] evaluate(int i, double x) {
        if (i >= 0 && i + 1 < centers.length) {
            double si = derivative(i);
            double sj = derivative(i + 1);
            if (!Double.isNaN(si) && !Double.isNaN(sj)) {
                double u = (x - centers[i]) / (centers[i + 1] - centers[i]);
                return new double[] {lerp(logDensity(i), logDensity(i + 1), u), lerp(si, sj, u)};
            }
        }
        // the nearest nodes with a derivative left and right of x
        int left = -1;
        int right = Integer.MAX_VALUE;
        for (int r = 0; r < start.length; r++) {
            int first = firstDerivativeNode(r);
            int last = lastDerivativeNode(r);
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
        double[] fromLeft = left < 0 ? null : continuation(left, inner(left, -1), x);
        double[] fromRight = right == Integer.MAX_VALUE ? null : continuation(right, inner(right, +1), x);
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
    private double[] continuation(int e, int inner, double x) {
        double se = derivative(e);
        double kappa = inner == e ? 0 : Math.min(0, (se - derivative(inner)) / (centers[e] - centers[inner]));
        double d = x - centers[e];
        return new double[] {logDensity(e) + se * d + 0.5 * kappa * d * d, se + kappa * d};
    }

    /**
     * The node from which the continuation at edge node e measures its curvature: walking from e in
     * direction dir (into the run, -1 for a run's right end) at least TAIL_SPAN cells and on while
     * log p has risen by at most TAIL_NATS above its value at e, within the run's derivative nodes.
     */
    private int inner(int e, int dir) {
        int r = run(e);
        int end = dir < 0 ? firstDerivativeNode(r) : lastDerivativeNode(r);
        double base = logDensity(e);
        int q = e;
        while (q != end && (Math.abs(q - e) < TAIL_SPAN || logDensity(q + dir) - base <= TAIL_NATS)) {
            q += dir;
        }
        return q;
    }

    /** The first node of run r with both neighbours stored. */
    private int firstDerivativeNode(int r) {
        return Math.max(1, start[r] + 1);
    }

    /** The last node of run r with both neighbours stored. */
    private int lastDerivativeNode(int r) {
        return Math.min(centers.length - 2, start[r] + logp[r].length - 2);
    }

    /** The three-point derivative of log p at node i if i and both neighbours are stored, else NaN. */
    private double derivative(int i) {
        if (i < 1 || i > centers.length - 2) {
            return Double.NaN;
        }
        int r = run(i);
        if (r < 0) {
            return Double.NaN;
        }
        int a = start[r];
        double[] lp = logp[r];
        if (i - 1 < a || i + 1 >= a + lp.length) {
            return Double.NaN;
        }
        double ha = centers[i] - centers[i - 1];
        double hb = centers[i + 1] - centers[i];
        return -hb / (ha * (ha + hb)) * lp[i - 1 - a]
                + (hb - ha) / (ha * hb) * lp[i - a]
                + ha / (hb * (ha + hb)) * lp[i + 1 - a];
    }

    /** Linear interpolation returning an end point exactly at {@code w = 0} or {@code 1} (infinities stay there). */
    static double lerp(double a, double b, double w) {
        return w <= 0 ? a : w >= 1 ? b : (1 - w) * a + w * b;
    }
}
