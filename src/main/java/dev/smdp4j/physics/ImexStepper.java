package dev.smdp4j.physics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.smdp4j.util.EngineArrays;

/**
 * One sub-step of {@link NavierStokes2d}'s time stepping, as precomputed multipliers: per stage
 * {@code w <- P_s w + M_s G_s + E_s}, {@code G_s = A_s + beta_s G_{s-1}}.
 *
 * <p><b>Time stepping.</b> The linear part {@code L = -nu |k|^2 - alpha} is implicit
 * (Crank-Nicolson), advection and forcing explicit, {@code F(w) = -mask (u . grad w)_hat + f_hat}.
 * {@link NavierStokes2d.Scheme#CN_EULER} is the first-order semi-implicit step
 * {@code w' = [(1 + dt/2 L) w + dt F(w)] / (1 - dt/2 L)}. {@link NavierStokes2d.Scheme#CN_RK4} (the default) is the
 * low-storage Runge-Kutta of Carpenter and Kennedy (1994, "Fourth-order 2N-storage Runge-Kutta
 * schemes") made implicit-explicit with Crank-Nicolson on the linear part, as in Kochkov et al.
 * 2021: for stages {@code s = 0 .. 4}, {@code h = F(w) + beta_s h},
 * {@code mu = dt/2 (a_{s+1} - a_s)}, {@code w = (w + gamma_s dt h + mu L w) / (1 - mu L)}. With
 * {@code nu = alpha = 0} it is the explicit fourth-order scheme; otherwise the Crank-Nicolson part
 * makes it second order overall (both measured in the tests). Both schemes are one loop: stage
 * {@code s} computes {@code G_s = A_s + beta_s G_{s-1}} from the raw advection spectrum
 * {@code A_s} and sets {@code w = P_s w + M_s G_s + E_s} with precomputed multipliers
 * {@code P_s = (1 + mu_s L) / (1 - mu_s L)}, {@code M_s = -mask gamma_s dt / (1 - mu_s L)} and the
 * forcing term {@code E_s = c_s gamma_s dt f_hat / (1 - mu_s L)}, {@code c_s = 1 + beta_s c_{s-1}}.
 */
final class ImexStepper {
    // Carpenter-Kennedy low-storage coefficients (as used in Kochkov et al. 2021).
    private static final double[] RK4_A = {0, .1496590219993, .3704009573644, .6222557631345, .9582821306748, 1};
    private static final double[] RK4_BETA = {0, -.4178904745, -1.192151694643, -1.697784692471, -1.514183444257};
    private static final double[] RK4_GAMMA = {
        .1496590219993, .3792103129999, .8229550293869, .6994504559488, .1530572479681
    };
    private static final double[] EULER_A = {0, 1};
    private static final double[] EULER_BETA = {0};
    private static final double[] EULER_GAMMA = {1};

    private final NDArray[] p;
    private final NDArray[] m;
    /** Forcing terms, or null entries without forcing. */
    private final NDArray[] e;
    /** {@code beta_s} as engine scalars, null where {@code beta_s = 0}. */
    private final NDArray[] beta;

    private ImexStepper(NDArray[] p, NDArray[] m, NDArray[] e, NDArray[] beta) {
        this.p = p;
        this.m = m;
        this.e = e;
        this.beta = beta;
    }

    /**
     * The multipliers of one sub-step {@code dt} of {@code scheme} on the {@code n x n} grid, with the
     * forcing's half spectrum ({@code [n][n/2 + 1]}) or null for none, as constants in {@code manager}.
     */
    static ImexStepper build(
            NavierStokes2d.Scheme scheme,
            int n,
            double dt,
            double nu,
            double alpha,
            double[] forcingHatRe,
            double[] forcingHatIm,
            NDManager manager) {
        double[] a = scheme == NavierStokes2d.Scheme.CN_RK4 ? RK4_A : EULER_A;
        double[] beta = scheme == NavierStokes2d.Scheme.CN_RK4 ? RK4_BETA : EULER_BETA;
        double[] gamma = scheme == NavierStokes2d.Scheme.CN_RK4 ? RK4_GAMMA : EULER_GAMMA;
        int stages = gamma.length;
        int h = n / 2 + 1;
        Shape shape = new Shape(n, h);
        double[] l = SpectralGrid.linearSymbol(n, nu, alpha);
        double[] mask = SpectralGrid.maskSymbol(n, 1);
        NDArray[] ps = new NDArray[stages];
        NDArray[] ms = new NDArray[stages];
        NDArray[] es = new NDArray[stages];
        NDArray[] betas = new NDArray[stages];
        double forcingWeight = 0; // c_s = 1 + beta_s c_{s-1}
        for (int s = 0; s < stages; s++) {
            double mu = dt / 2 * (a[s + 1] - a[s]);
            forcingWeight = 1 + beta[s] * forcingWeight;
            double[] p = new double[l.length];
            double[] m = new double[l.length];
            double[] eRe = new double[l.length];
            double[] eIm = new double[l.length];
            for (int i = 0; i < l.length; i++) {
                double denominator = 1 - mu * l[i];
                double r = gamma[s] * dt / denominator;
                p[i] = (1 + mu * l[i]) / denominator;
                m[i] = -mask[i] * r;
                if (forcingHatRe != null) {
                    eRe[i] = forcingWeight * r * forcingHatRe[i];
                    eIm[i] = forcingWeight * r * forcingHatIm[i];
                }
            }
            ps[s] = SpectralGrid.realConstant(manager, p, shape);
            ms[s] = SpectralGrid.realConstant(manager, m, shape);
            es[s] = forcingHatRe == null ? null : SpectralGrid.complexConstant(manager, eRe, eIm, shape);
            betas[s] = beta[s] == 0 ? null : EngineArrays.scalar(manager, beta[s], DataType.FLOAT32);
        }
        return new ImexStepper(ps, ms, es, betas);
    }

    NDArray step(NDArray w, SpectralGrid grid, int n) {
        NDArray g = null;
        for (int s = 0; s < p.length; s++) {
            NDArray a = grid.advectionSpectrum(w, n);
            g = g == null || beta[s] == null ? a : g.mul(beta[s]).add(a);
            NDArray next = w.mul(p[s]).add(g.mul(m[s]));
            w = e[s] == null ? next : next.add(e[s]);
        }
        return w;
    }
}
