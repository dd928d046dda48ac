package dev.smdp4j.problem.toy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Prototype v2; javadoc to follow. */
public final class FokkerPlanck {
    // experiment knobs (to be frozen)
    static double theta = 0.5;
    static double peMax = 2;
    static double snapshotL1 = 0.05;
    static double floor = 1e-280;
    static double t0Cells = 8;
    static double stretch = 6;
    static double t0Fixed = 0;
    static double minSeen, minT, minX;

    private final double lambda;
    private final double g;
    private final double endTime;
    private final double xMin;
    private final double xMax;
    private final double wTotal;
    private final double[] faces;
    private final double[] centers;
    private final int cells;
    private final double t0;
    private final double[] times;
    private final double[][] logp;
    private final double[] masses;
    private final double[] widths;

    private FokkerPlanck(double lambda, double g, double endTime, double xMin, double xMax, double[] faces,
            double t0, List<double[]> snaps, List<Double> snapTimes) {
        this.lambda = lambda;
        this.g = g;
        this.endTime = endTime;
        this.xMin = xMin;
        this.xMax = xMax;
        this.wTotal = cumulative(xMax, xMin);
        this.faces = faces;
        this.cells = faces.length - 1;
        this.centers = new double[cells];
        this.widths = new double[cells];
        for (int i = 0; i < cells; i++) {
            centers[i] = 0.5 * (faces[i] + faces[i + 1]);
            widths[i] = faces[i + 1] - faces[i];
        }
        this.t0 = t0;
        int k = snaps.size();
        this.times = new double[k];
        this.logp = new double[k][];
        this.masses = new double[k];
        for (int s = 0; s < k; s++) {
            times[s] = snapTimes.get(s);
            double[] p = snaps.get(s);
            double m = 0;
            for (int i = 0; i < cells; i++) {
                m += p[i] * widths[i];
            }
            masses[s] = m;
            double[] lp = new double[cells];
            for (int i = 0; i < cells; i++) {
                lp[i] = p[i] >= floor ? Math.log(p[i]) : Double.NEGATIVE_INFINITY;
            }
            logp[s] = lp;
        }
    }

    /** Grid density 1 + stretch * min(x^2, 1); its integral from xMin to x. */
    static double cumulative(double x, double xMin) {
        return prim(x) - prim(xMin);
    }

    private static double prim(double x) {
        double ax = Math.abs(x);
        double v = ax <= 1 ? ax + stretch * ax * ax * ax / 3 : 1 + stretch / 3 + (1 + stretch) * (ax - 1);
        return Math.signum(x) * v;
    }

    static double[] stretchedFaces(double xMin, double xMax, int cells) {
        double total = cumulative(xMax, xMin);
        double[] f = new double[cells + 1];
        f[0] = xMin;
        f[cells] = xMax;
        for (int j = 1; j < cells; j++) {
            double target = total * j / cells;
            double lo = f[j - 1], hi = xMax;
            for (int it = 0; it < 100 && hi - lo > 1e-15; it++) {
                double mid = 0.5 * (lo + hi);
                if (cumulative(mid, xMin) < target) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            f[j] = 0.5 * (lo + hi);
        }
        return f;
    }

    public static double defaultHalfWidth(double lambda, double g, double endTime) {
        double outer = lambda > 0 ? Math.min(g / Math.sqrt(4 * lambda), g * Math.sqrt(endTime)) : g * Math.sqrt(endTime);
        return 1 + Math.max(0.1, 15 * outer);
    }

    public static FokkerPlanck defaults(double lambda, double g, double endTime) {
        double l = defaultHalfWidth(lambda, g, endTime);
        return solve(lambda, g, endTime, -l, l, 8000, 8000);
    }

    public static FokkerPlanck solve(double lambda, double g, double endTime, double xMin, double xMax, int cells,
            int timeSteps) {
        double[] faces = stretchedFaces(xMin, xMax, cells);
        double[] c = new double[cells];
        double[] w = new double[cells];
        for (int i = 0; i < cells; i++) {
            c[i] = 0.5 * (faces[i] + faces[i + 1]);
            w[i] = faces[i + 1] - faces[i];
        }
        double diff = 0.5 * g * g;
        // start time: the short-time Gaussian has a std of t0Cells cells where it sits
        double lo = 0, hi = endTime;
        for (int it = 0; it < 200; it++) {
            double mid = 0.5 * (lo + hi);
            double m = shortTimeMean(lambda, mid);
            double hm = widthAt(faces, xMin, xMax, m);
            if (shortTimeVariance(lambda, g, mid) < t0Cells * t0Cells * hm * hm) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        double t0 = t0Fixed > 0 ? t0Fixed : hi;
        double[] p = new double[cells];
        double m0 = shortTimeMean(lambda, t0);
        double v0 = shortTimeVariance(lambda, g, t0);
        double sum = 0;
        for (int i = 0; i < cells; i++) {
            p[i] = Math.exp(shortTimeLogDensity(c[i], m0, v0));
            sum += p[i] * w[i];
        }
        for (int i = 0; i < cells; i++) {
            p[i] /= sum;
        }
        // flux J at interior face j (between cells j-1 and j) = a[j] p_{j-1} - b[j] p_j
        double[] a = new double[cells + 1];
        double[] b = new double[cells + 1];
        for (int j = 1; j < cells; j++) {
            double xf = faces[j];
            double f = -lambda * Math.signum(xf) * xf * xf;
            double delta = c[j] - c[j - 1];
            double pe = f * delta / diff;
            if (Math.abs(pe) <= peMax) {
                double wl = (c[j] - xf) / delta;
                a[j] = f * wl + diff / delta;
                b[j] = -f * (1 - wl) + diff / delta;
            } else {
                a[j] = diff / delta * bernoulli(-pe);
                b[j] = diff / delta * bernoulli(pe);
            }
        }
        // (A p)_i = -(J_{i+1} - J_i) / w_i = (a[i] p_{i-1} - (b[i] + a[i+1]) p_i + b[i+1] p_{i+1}) / w_i
        double[] lower = new double[cells];
        double[] diag = new double[cells];
        double[] upper = new double[cells];
        for (int i = 0; i < cells; i++) {
            lower[i] = a[i] / w[i];
            upper[i] = b[i + 1] / w[i];
            diag[i] = -(b[i] + a[i + 1]) / w[i];
        }
        double cs = lambda > 0 ? 1 / lambda : t0;
        double tau0 = Math.log1p(t0 / cs);
        double tau1 = Math.log1p(endTime / cs);
        List<double[]> snaps = new ArrayList<>();
        List<Double> snapTimes = new ArrayList<>();
        snaps.add(p.clone());
        snapTimes.add(t0);
        double[] last = snaps.get(0);
        double[] rhs = new double[cells];
        double[] cp = new double[cells];
        double t = t0;
        for (int n = 1; n <= timeSteps; n++) {
            double tn = n == timeSteps ? endTime : cs * Math.expm1(tau0 + (tau1 - tau0) * n / timeSteps);
            double dt = tn - t;
            double ex = (1 - theta) * dt;
            double im = theta * dt;
            for (int i = 0; i < cells; i++) {
                double r = p[i] + ex * diag[i] * p[i];
                if (i > 0) {
                    r += ex * lower[i] * p[i - 1];
                }
                if (i < cells - 1) {
                    r += ex * upper[i] * p[i + 1];
                }
                rhs[i] = r;
            }
            double d0 = 1 - im * diag[0];
            cp[0] = -im * upper[0] / d0;
            rhs[0] /= d0;
            for (int i = 1; i < cells; i++) {
                double li = -im * lower[i];
                double den = 1 - im * diag[i] - li * cp[i - 1];
                cp[i] = -im * upper[i] / den;
                rhs[i] = (rhs[i] - li * rhs[i - 1]) / den;
            }
            p[cells - 1] = rhs[cells - 1];
            for (int i = cells - 2; i >= 0; i--) {
                p[i] = rhs[i] - cp[i] * p[i + 1];
            }
            t = tn;
            for (int i = 0; i < cells; i++) {
                if (p[i] < minSeen) {
                    minSeen = p[i];
                    minT = t;
                    minX = c[i];
                }
            }
            double l1 = 0;
            for (int i = 0; i < cells; i++) {
                l1 += Math.abs(p[i] - last[i]) * w[i];
            }
            if (l1 >= snapshotL1 || n == timeSteps) {
                last = p.clone();
                snaps.add(last);
                snapTimes.add(t);
            }
        }
        return new FokkerPlanck(lambda, g, endTime, xMin, xMax, faces, t0, snaps, snapTimes);
    }

    private static double widthAt(double[] faces, double xMin, double xMax, double x) {
        int cells = faces.length - 1;
        int j = (int) Math.floor(cumulative(Math.max(xMin, Math.min(xMax, x)), xMin) / cumulative(xMax, xMin) * cells);
        j = Math.max(0, Math.min(cells - 1, j));
        return faces[j + 1] - faces[j];
    }

    static double bernoulli(double z) {
        if (Math.abs(z) < 1e-6) {
            return 1 - 0.5 * z;
        }
        return z / Math.expm1(z);
    }

    static double shortTimeMean(double lambda, double t) {
        return 1 / (1 + lambda * t);
    }

    static double shortTimeVariance(double lambda, double g, double t) {
        if (lambda == 0) {
            return g * g * t;
        }
        double u = lambda * t;
        return g * g * Math.expm1(5 * Math.log1p(u)) / (5 * lambda * Math.pow(1 + u, 4));
    }

    double vv(double t) {
        return shortTimeVariance(lambda, g, t);
    }

    static double shortTimeLogDensity(double x, double m, double v) {
        double ax = Math.abs(x);
        return -(ax - m) * (ax - m) / (2 * v) + Math.log1p(Math.exp(-2 * m * ax / v)) - Math.log(2)
                - 0.5 * Math.log(2 * Math.PI * v);
    }

    static double shortTimeScore(double x, double m, double v) {
        return (-x + m * Math.tanh(m * x / v)) / v;
    }

    public double startTime() {
        return t0;
    }

    public int snapshots() {
        return times.length;
    }

    public double[] grid() {
        return centers.clone();
    }

    public double mass(double t) {
        if (t <= t0) {
            return 1;
        }
        int k = interval(t);
        double w = (t - times[k]) / (times[k + 1] - times[k]);
        return (1 - w) * masses[k] + w * masses[k + 1];
    }

    private int interval(double t) {
        int k = Arrays.binarySearch(times, t);
        if (k < 0) {
            k = -k - 2;
        }
        return Math.max(0, Math.min(times.length - 2, k));
    }

    /** Index i with centers[i] <= x < centers[i+1], or -1 / cells-1 outside. */
    private int node(double x) {
        if (x < centers[0]) {
            return -1;
        }
        if (x >= centers[cells - 1]) {
            return cells - 1;
        }
        int j = (int) Math.floor(cumulative(x, xMin) / wTotal * cells);
        j = Math.max(0, Math.min(cells - 1, j));
        while (j > 0 && centers[j] > x) {
            j--;
        }
        while (j < cells - 1 && centers[j + 1] <= x) {
            j++;
        }
        return j;
    }

    public double density(double x, double t) {
        if (t <= t0) {
            double tt = Math.max(t, 1e-6 * t0);
            return Math.exp(shortTimeLogDensity(x, shortTimeMean(lambda, tt), shortTimeVariance(lambda, g, tt)));
        }
        int k = interval(t);
        double w = (t - times[k]) / (times[k + 1] - times[k]);
        int i = node(x);
        return Math.exp(lerp(logDensityAt(k, i, x), logDensityAt(k + 1, i, x), w));
    }

    private double logDensityAt(int k, int i, double x) {
        if (i < 0 || i >= cells - 1) {
            return Double.NEGATIVE_INFINITY; // prototype
        }
        double w = (x - centers[i]) / (centers[i + 1] - centers[i]);
        return lerp(logp[k][i], logp[k][i + 1], w);
    }

    static double lerp(double a, double b, double w) {
        return w <= 0 ? a : w >= 1 ? b : (1 - w) * a + w * b;
    }

    public double score(double x, double t) {
        if (t <= t0) {
            double tt = Math.max(t, 1e-6 * t0);
            return shortTimeScore(x, shortTimeMean(lambda, tt), shortTimeVariance(lambda, g, tt));
        }
        int k = interval(t);
        double w = (t - times[k]) / (times[k + 1] - times[k]);
        int i = node(x);
        return lerp(scoreAt(k, i, x), scoreAt(k + 1, i, x), w);
    }

    /** Whether the three-point derivative at node i is available. */
    private boolean resolved(double[] lp, int i) {
        return i >= 1 && i <= cells - 2 && lp[i - 1] > Double.NEGATIVE_INFINITY && lp[i] > Double.NEGATIVE_INFINITY
                && lp[i + 1] > Double.NEGATIVE_INFINITY;
    }

    private double nodeScore(double[] lp, int i) {
        double ha = centers[i] - centers[i - 1];
        double hb = centers[i + 1] - centers[i];
        return (-hb / (ha * (ha + hb))) * lp[i - 1] + ((hb - ha) / (ha * hb)) * lp[i]
                + (ha / (hb * (ha + hb))) * lp[i + 1];
    }

    /** The score at node i of snapshot k with gap filling. */
    private double filledScore(double[] lp, int i) {
        if (resolved(lp, i)) {
            return nodeScore(lp, i);
        }
        int l = i - 1;
        while (l >= 1 && !resolved(lp, l)) {
            l--;
        }
        int r = i + 1;
        while (r <= cells - 2 && !resolved(lp, r)) {
            r++;
        }
        boolean hasL = l >= 1, hasR = r <= cells - 2;
        if (hasL && hasR) {
            double sl = nodeScore(lp, l), sr = nodeScore(lp, r);
            double w = (centers[i] - centers[l]) / (centers[r] - centers[l]);
            return (1 - w) * sl + w * sr;
        }
        if (hasL) {
            return tail(lp, l, l - 1, centers[i]);
        }
        if (hasR) {
            return tail(lp, r, r + 1, centers[i]);
        }
        throw new IllegalStateException("no resolved node");
    }

    private double tail(double[] lp, int e, int inner, double x) {
        double se = nodeScore(lp, e);
        double kappa = 0;
        if (inner >= 1 && inner <= cells - 2 && resolved(lp, inner)) {
            kappa = Math.min(0, (se - nodeScore(lp, inner)) / (centers[e] - centers[inner]));
        }
        return se + kappa * (x - centers[e]);
    }

    private double scoreAt(int k, int i, double x) {
        double[] lp = logp[k];
        if (i < 0) {
            return filledScoreExtrap(lp, 0, x);
        }
        if (i >= cells - 1) {
            return filledScoreExtrap(lp, cells - 1, x);
        }
        double w = (x - centers[i]) / (centers[i + 1] - centers[i]);
        return lerp(filledScore(lp, Math.max(1, i)), filledScore(lp, Math.min(cells - 2, i + 1)), w);
    }

    private double filledScoreExtrap(double[] lp, int edge, double x) {
        int e = edge == 0 ? 1 : cells - 2;
        int inner = edge == 0 ? 2 : cells - 3;
        double se = filledScore(lp, e), si = filledScore(lp, inner);
        double kappa = Math.min(0, (se - si) / (centers[e] - centers[inner]));
        return se + kappa * (x - centers[e]);
    }
}
