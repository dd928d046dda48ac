package dev.smdp4j.physics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.smdp4j.util.EngineArrays;
import dev.smdp4j.util.Scalars;
import dev.smdp4j.util.Scopes;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A differentiable pseudo-spectral solver of the two-dimensional incompressible Navier-Stokes
 * equations in vorticity form on the periodic box {@code [0, 2 pi)^2}:
 * {@code dw/dt + u . grad(w) = nu Lap(w) - alpha w + f}, with velocity
 * {@code u = (u, v) = (d psi/dy, -d psi/dx)} from the stream function {@code Lap(psi) = -w},
 * viscosity {@code nu >= 0}, linear drag {@code alpha >= 0} and a time-independent forcing
 * {@code f} (the curl of a body force; e.g. the body force {@code (sin ky, 0)} has
 * {@code f = -k cos(ky)}, see {@link #kolmogorovForcing}).
 *
 * <p><b>Grid and axes.</b> States are batches of vorticity fields {@code [..., N, N]}, float32,
 * sampled at {@code (x, y) = (2 pi c / N, 2 pi r / N)}: axis {@code -2} (rows, index {@code r}) is
 * {@code y}, axis {@code -1} (columns, index {@code c}) is {@code x}. Wavenumbers are integers.
 * The state is carried as its half spectrum ({@code rfft} along x, then {@code fft} along y, as
 * {@link FourierMultiplier}), rows {@code k_y} in FFT order and columns {@code k_x = 0 .. N/2}.
 *
 * <p><b>Spatial discretisation</b> (the standard one, e.g. Li et al. 2021, "Fourier Neural
 * Operator for Parametric Partial Differential Equations", and Kochkov et al. 2021, "Machine
 * learning-accelerated computational fluid dynamics"): {@code psi_hat = w_hat / |k|^2} (0 at
 * {@code k = 0}), {@code u_hat = i k_y psi_hat}, {@code v_hat = -i k_x psi_hat},
 * {@code (w_x, w_y)_hat = (i k_x, i k_y) w_hat}; the advection {@code u w_x + v w_y} is formed in
 * real space, transformed back and multiplied by the 2/3-rule mask, which keeps
 * {@code |k_x|, |k_y| <= N/3} (strictly below {@code N/3} when 3 divides {@code N}, so that the
 * rule is alias-free: {@code 3 |k| < N}). First derivatives are set to zero on an even grid's
 * Nyquist row and column, whose sign is ambiguous (the mask removes these modes from the advection
 * anyway). The forcing is not filtered.
 *
 * <p><b>Time stepping.</b> The linear part {@code L = -nu |k|^2 - alpha} is implicit
 * (Crank-Nicolson), advection and forcing explicit, {@code F(w) = -mask (u . grad w)_hat + f_hat}.
 * {@link Scheme#CN_EULER} is the first-order semi-implicit step
 * {@code w' = [(1 + dt/2 L) w + dt F(w)] / (1 - dt/2 L)}. {@link Scheme#CN_RK4} (the default) is the
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
 *
 * <p>{@link #increment} and {@link #advance} cover a span {@code d >= 0} in {@code ceil(d / dtMax)}
 * equal sub-steps (negative spans are rejected: running the viscous equation backwards amplifies
 * mode {@code k} by about {@code exp(nu |k|^2 |d|)}, an ill-posed problem). Everything is differentiable through DJL autograd (complex values stay complex
 * on the graph and meet only constant complex multipliers). Per sub-step the CN_RK4 scheme makes
 * 73 engine calls (9 per advection evaluation, 4 per stage update, 2 per accumulation), CN_EULER 13
 * (68 and 12 without forcing); the transforms to and from the spectrum are made once per call.
 * Multipliers are computed once per grid size and sub-step in this object's own manager (up
 * to {@link #CACHE_CAPACITY} entries; beyond that they are built per call and freed with it).
 */
public final class NavierStokes2d implements PhysicsModel, AutoCloseable {

    /** The time-stepping scheme; both treat the linear part by Crank-Nicolson. */
    public enum Scheme {
        /** Carpenter-Kennedy low-storage IMEX RK4 with Crank-Nicolson on the linear part (5 stages). */
        CN_RK4,
        /** Crank-Nicolson on the linear part, explicit Euler on advection and forcing (1 stage). */
        CN_EULER
    }

    /** Maximum number of cached sub-step operators (and, separately, of grid sizes). */
    public static final int CACHE_CAPACITY = 64;

    // Carpenter-Kennedy low-storage coefficients (as used in Kochkov et al. 2021).
    private static final double[] RK4_A = {0, .1496590219993, .3704009573644, .6222557631345, .9582821306748, 1};
    private static final double[] RK4_BETA = {0, -.4178904745, -1.192151694643, -1.697784692471, -1.514183444257};
    private static final double[] RK4_GAMMA = {.1496590219993, .3792103129999, .8229550293869, .6994504559488,
            .1530572479681};
    private static final double[] EULER_A = {0, 1};
    private static final double[] EULER_BETA = {0};
    private static final double[] EULER_GAMMA = {1};

    private final double nu;
    private final double alpha;
    private final double dtMax;
    private final Scheme scheme;
    /** The forcing on its grid (row-major, rows = y), or null. */
    private final double[] forcing;
    private final int forcingN;
    /** The forcing's half spectrum, real and imaginary parts {@code [N][N/2 + 1]} row-major, or null. */
    private final double[] forcingHatRe;
    private final double[] forcingHatIm;
    private final NDManager cacheManager;
    private final Map<Integer, Grid> grids = new LinkedHashMap<>();
    private final Map<List<Object>, Stepper> steppers = new LinkedHashMap<>();

    /**
     * @param parent the manager whose sub-manager holds this solver's cached constants
     * @param nu viscosity, finite and {@code >= 0}
     * @param alpha linear drag, finite and {@code >= 0}
     * @param forcing the vorticity forcing on an {@code N x N} grid, row-major (rows = y), or
     *        {@code null} for none; the solver then accepts only {@code N x N} fields
     * @param dtMax the largest internal time step, finite and {@code > 0}
     * @param scheme the time-stepping scheme
     */
    public NavierStokes2d(NDManager parent, double nu, double alpha, double[] forcing, double dtMax, Scheme scheme) {
        if (!(nu >= 0) || Double.isInfinite(nu)) {
            throw new IllegalArgumentException("viscosity nu must be finite and >= 0, got " + nu);
        }
        if (!(alpha >= 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("drag alpha must be finite and >= 0, got " + alpha);
        }
        if (!(dtMax > 0) || Double.isInfinite(dtMax)) {
            throw new IllegalArgumentException("maximum time step dtMax must be finite and > 0, got " + dtMax);
        }
        this.scheme = Objects.requireNonNull(scheme, "scheme");
        this.nu = nu;
        this.alpha = alpha;
        this.dtMax = dtMax;
        if (forcing != null) {
            int n = (int) Math.round(Math.sqrt(forcing.length));
            if (n < 1 || (long) n * n != forcing.length) {
                throw new IllegalArgumentException("forcing must hold N * N values of a square grid, got "
                        + forcing.length + " values");
            }
            for (int i = 0; i < forcing.length; i++) {
                if (!Double.isFinite(forcing[i])) {
                    throw new IllegalArgumentException("forcing value " + forcing[i] + " at (row " + i / n
                            + ", column " + i % n + ") is not finite");
                }
            }
            this.forcing = forcing.clone();
            this.forcingN = n;
            double[][] hat = halfSpectrum(this.forcing, n);
            this.forcingHatRe = hat[0];
            this.forcingHatIm = hat[1];
        } else {
            this.forcing = null;
            this.forcingN = -1;
            this.forcingHatRe = null;
            this.forcingHatIm = null;
        }
        this.cacheManager = parent.newSubManager();
    }

    /** An unforced solver with the default scheme, {@link Scheme#CN_RK4}. */
    public NavierStokes2d(NDManager parent, double nu, double alpha, double dtMax) {
        this(parent, nu, alpha, null, dtMax, Scheme.CN_RK4);
    }

    /**
     * The vorticity of the Kolmogorov body force {@code (sin ky, 0)}: {@code f = -k cos(k y)} on the
     * {@code n x n} grid, row-major, {@code y = 2 pi r / n} along the rows.
     */
    public static double[] kolmogorovForcing(int n, int k) {
        if (n < 1) {
            throw new IllegalArgumentException("grid size must be >= 1, got " + n);
        }
        double[] f = new double[n * n];
        for (int r = 0; r < n; r++) {
            double value = -k * Math.cos(2 * Math.PI * k * r / n);
            Arrays.fill(f, r * n, (r + 1) * n, value);
        }
        return f;
    }

    public double nu() {
        return nu;
    }

    public double alpha() {
        return alpha;
    }

    public double dtMax() {
        return dtMax;
    }

    public Scheme scheme() {
        return scheme;
    }

    /** The number of equal sub-steps {@link #advance} takes over a span {@code d}. */
    public int subSteps(double d) {
        checkSpan(d);
        if (d == 0) {
            return 0;
        }
        double ratio = d / dtMax;
        // a ratio a rounding error above an integer (0.3 / 0.1) does not add a step
        double steps = Math.max(1, Math.ceil(ratio * (1 - 1e-12)));
        if (steps > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("time span " + d + " needs " + steps + " steps of at most " + dtMax
                    + ", too many");
        }
        return (int) steps;
    }

    @Override
    public NDArray increment(NDArray x, double d) {
        try (NDArray advanced = advance(x, d)) {
            return advanced.sub(x);
        }
    }

    /** The state after a span {@code d >= 0}, in {@code ceil(d / dtMax)} equal sub-steps. */
    @Override
    public NDArray advance(NDArray x, double d) {
        int n = checkField(x);
        int steps = subSteps(d);
        if (steps == 0) {
            return Scalars.mul(x, 1);
        }
        NDManager target = x.getManager();
        try (NDManager perCall = target.newSubManager()) {
            Grid grid = grid(n, perCall);
            Stepper stepper = stepper(n, d / steps, perCall);
            NDArray w = Scopes.inScope(target, x, v -> v.rfft(n, -1).fft(n, -2));
            for (int s = 0; s < steps; s++) {
                // closing a replaced spectrum frees its handle only: autograd keeps what it needs
                w = Scopes.replace(target, w, null, v -> stepper.step(v, grid, n));
            }
            NDArray spectrum = w;
            NDArray out = Scopes.inScope(target, spectrum, v -> toField(v, n));
            spectrum.close();
            return out;
        }
    }

    /**
     * The exact instantaneous drift {@code nu Lap(w) - alpha w + f - mask(u . grad w)}, evaluated
     * spectrally (the right-hand side the schemes integrate).
     */
    @Override
    public NDArray rate(NDArray x) {
        int n = checkField(x);
        NDManager target = x.getManager();
        try (NDManager perCall = target.newSubManager()) {
            Grid grid = grid(n, perCall);
            return Scopes.inScope(target, x, v -> {
                NDArray w = v.rfft(n, -1).fft(n, -2);
                NDArray r = w.mul(grid.linear).add(advectionSpectrum(w, grid, n).mul(grid.negMask));
                if (grid.forcingHat != null) {
                    r = r.add(grid.forcingHat);
                }
                return toField(r, n);
            });
        }
    }

    /**
     * The velocity of vorticity fields {@code [..., N, N]}: {@code [..., 2, N, N]} with
     * {@code u = d psi/dy} at index 0 and {@code v = -d psi/dx} at index 1 of axis {@code -3}
     * (spectral, mean flow zero), differentiable.
     */
    public NDArray velocity(NDArray x) {
        int n = checkFieldShape(x);
        NDManager target = x.getManager();
        try (NDManager perCall = target.newSubManager()) {
            Grid grid = grid(n, perCall);
            int rank = x.getShape().dimension();
            return Scopes.inScope(target, x,
                    v -> toField(v.rfft(n, -1).fft(n, -2).expandDims(rank - 2).mul(grid.velocity), n));
        }
    }

    /** The raw advection spectrum {@code (u w_x + v w_y)_hat} of a half spectrum {@code [..., N, N/2 + 1]}: 9 engine calls. */
    private static NDArray advectionSpectrum(NDArray wHat, Grid grid, int n) {
        int rank = wHat.getShape().dimension();
        // [..., 4, N, N]: u, v, w_x, w_y
        NDArray fields = wHat.expandDims(rank - 2).mul(grid.derivatives).ifft(n, -2).irfft(n, -1);
        NDList halves = fields.split(2, rank - 2); // (u, v) and (w_x, w_y): one call, cheaper than two get()s
        return halves.get(0).mul(halves.get(1)).sum(new int[] {rank - 2}).rfft(n, -1).fft(n, -2);
    }

    /** Real fields from half spectra; the trailing mul(1) hands irfft's backward a dense gradient. */
    private static NDArray toField(NDArray hat, int n) {
        return Scalars.mul(hat.ifft(n, -2).irfft(n, -1), 1);
    }

    /** The multipliers of one grid size. */
    private static final class Grid {
        /** {@code [4, N, N/2 + 1]} complex: u, v, d/dx, d/dy of the vorticity's spectrum. */
        final NDArray derivatives;
        /** {@code [2, N, N/2 + 1]} complex: u, v. */
        final NDArray velocity;
        /** {@code L = -nu |k|^2 - alpha}, complex. */
        final NDArray linear;
        /** Minus the 2/3-rule mask, complex. */
        final NDArray negMask;
        /** The forcing's half spectrum, complex, or null. */
        final NDArray forcingHat;

        Grid(NDArray derivatives, NDArray velocity, NDArray linear, NDArray negMask, NDArray forcingHat) {
            this.derivatives = derivatives;
            this.velocity = velocity;
            this.linear = linear;
            this.negMask = negMask;
            this.forcingHat = forcingHat;
        }
    }

    /** The multipliers of one sub-step: per stage {@code w <- P_s w + M_s G_s + E_s}, {@code G_s = A_s + beta_s G_{s-1}}. */
    private static final class Stepper {
        final NDArray[] p;
        final NDArray[] m;
        /** Forcing terms, or null entries without forcing. */
        final NDArray[] e;
        /** {@code beta_s} as engine scalars, null where {@code beta_s = 0}. */
        final NDArray[] beta;

        Stepper(NDArray[] p, NDArray[] m, NDArray[] e, NDArray[] beta) {
            this.p = p;
            this.m = m;
            this.e = e;
            this.beta = beta;
        }

        NDArray step(NDArray w, Grid grid, int n) {
            NDArray g = null;
            for (int s = 0; s < p.length; s++) {
                NDArray a = advectionSpectrum(w, grid, n);
                g = g == null || beta[s] == null ? a : g.mul(beta[s]).add(a);
                NDArray next = w.mul(p[s]).add(g.mul(m[s]));
                w = e[s] == null ? next : next.add(e[s]);
            }
            return w;
        }
    }

    private synchronized Grid grid(int n, NDManager perCall) {
        Grid cached = grids.get(n);
        if (cached != null) {
            return cached;
        }
        boolean keep = grids.size() < CACHE_CAPACITY;
        Grid grid = buildGrid(n, keep ? cacheManager : perCall);
        if (keep) {
            grids.put(n, grid);
        }
        return grid;
    }

    private synchronized Stepper stepper(int n, double dt, NDManager perCall) {
        List<Object> key = List.of(n, Double.doubleToLongBits(dt));
        Stepper cached = steppers.get(key);
        if (cached != null) {
            return cached;
        }
        boolean keep = steppers.size() < CACHE_CAPACITY;
        Stepper stepper = buildStepper(n, dt, keep ? cacheManager : perCall);
        if (keep) {
            steppers.put(key, stepper);
        }
        return stepper;
    }

    /** Integer wavenumber of half-spectrum row {@code r} (FFT order) and column {@code c}. */
    private static int rowWavenumber(int r, int n) {
        return HeatKernel.wavenumber(r, n);
    }

    /** The wavenumber a first derivative sees: 0 on an even grid's Nyquist mode. */
    private static int oddWavenumber(int k, int n) {
        return n % 2 == 0 && Math.abs(k) == n / 2 ? 0 : k;
    }

    /** Whether mode {@code (ky, kx)} survives the 2/3 rule. */
    private static boolean kept(int ky, int kx, int n) {
        return 3L * Math.abs(ky) < n && 3L * Math.abs(kx) < n;
    }

    /** {@code -nu |k|^2 - alpha} on the half spectrum. */
    private double[] linearSymbol(int n) {
        int h = n / 2 + 1;
        double[] l = new double[n * h];
        for (int r = 0; r < n; r++) {
            int ky = rowWavenumber(r, n);
            for (int c = 0; c < h; c++) {
                l[r * h + c] = -nu * ((double) ky * ky + (double) c * c) - alpha;
            }
        }
        return l;
    }

    private double[] maskSymbol(int n, double scale) {
        int h = n / 2 + 1;
        double[] mask = new double[n * h];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < h; c++) {
                mask[r * h + c] = kept(rowWavenumber(r, n), c, n) ? scale : 0;
            }
        }
        return mask;
    }

    private Grid buildGrid(int n, NDManager manager) {
        int h = n / 2 + 1;
        int cells = n * h;
        double[] zero = new double[cells];
        double[] u = new double[cells];
        double[] v = new double[cells];
        double[] dx = new double[cells];
        double[] dy = new double[cells];
        for (int r = 0; r < n; r++) {
            int ky = rowWavenumber(r, n);
            for (int c = 0; c < h; c++) {
                int i = r * h + c;
                double k2 = (double) ky * ky + (double) c * c;
                double inverse = k2 == 0 ? 0 : 1 / k2;
                dx[i] = oddWavenumber(c, n);
                dy[i] = oddWavenumber(ky, n);
                u[i] = dy[i] * inverse; // u_hat = i k_y psi_hat
                v[i] = -dx[i] * inverse; // v_hat = -i k_x psi_hat
            }
        }
        NDArray derivatives = complexConstant(manager, concat(zero, zero, zero, zero), concat(u, v, dx, dy),
                new Shape(4, n, h));
        NDArray velocity = complexConstant(manager, concat(zero, zero), concat(u, v), new Shape(2, n, h));
        NDArray forcingHat = forcing == null || n != forcingN ? null
                : complexConstant(manager, forcingHatRe, forcingHatIm, new Shape(n, h));
        return new Grid(derivatives, velocity, realConstant(manager, linearSymbol(n), new Shape(n, h)),
                realConstant(manager, maskSymbol(n, -1), new Shape(n, h)), forcingHat);
    }

    private Stepper buildStepper(int n, double dt, NDManager manager) {
        double[] a = scheme == Scheme.CN_RK4 ? RK4_A : EULER_A;
        double[] beta = scheme == Scheme.CN_RK4 ? RK4_BETA : EULER_BETA;
        double[] gamma = scheme == Scheme.CN_RK4 ? RK4_GAMMA : EULER_GAMMA;
        int stages = gamma.length;
        int h = n / 2 + 1;
        Shape shape = new Shape(n, h);
        double[] l = linearSymbol(n);
        double[] mask = maskSymbol(n, 1);
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
                if (forcing != null) {
                    eRe[i] = forcingWeight * r * forcingHatRe[i];
                    eIm[i] = forcingWeight * r * forcingHatIm[i];
                }
            }
            ps[s] = realConstant(manager, p, shape);
            ms[s] = realConstant(manager, m, shape);
            es[s] = forcing == null ? null : complexConstant(manager, eRe, eIm, shape);
            betas[s] = beta[s] == 0 ? null : EngineArrays.scalar(manager, beta[s], DataType.FLOAT32);
        }
        return new Stepper(ps, ms, es, betas);
    }

    private static double[] concat(double[]... parts) {
        int length = 0;
        for (double[] part : parts) {
            length += part.length;
        }
        double[] out = new double[length];
        int at = 0;
        for (double[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    /** A complex64 engine constant with the given real values. */
    private static NDArray realConstant(NDManager manager, double[] values, Shape shape) {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        try (NDArray real = EngineArrays.of(manager, f, shape)) {
            return real.toType(DataType.COMPLEX64, true);
        }
    }

    /** A complex64 engine constant from real and imaginary parts (a constant: complex() has no autograd). */
    private static NDArray complexConstant(NDManager manager, double[] re, double[] im, Shape shape) {
        float[] f = new float[2 * re.length];
        for (int i = 0; i < re.length; i++) {
            f[2 * i] = (float) re[i];
            f[2 * i + 1] = (float) im[i];
        }
        try (NDArray parts = EngineArrays.of(manager, f, shape.add(2))) {
            return parts.complex();
        }
    }

    /**
     * The half spectrum {@code sum_{r,c} f[r][c] exp(-2 pi i (ky r + kx c) / n)}, {@code kx = 0 .. n/2},
     * in double precision on the host: {@code {re, im}}, each {@code [n][n/2 + 1]} row-major.
     */
    static double[][] halfSpectrum(double[] f, int n) {
        int h = n / 2 + 1;
        double[] cos = new double[n];
        double[] sin = new double[n];
        for (int j = 0; j < n; j++) {
            cos[j] = Math.cos(2 * Math.PI * j / n);
            sin[j] = Math.sin(2 * Math.PI * j / n);
        }
        // along x (columns) for every row
        double[] tRe = new double[n * h];
        double[] tIm = new double[n * h];
        for (int r = 0; r < n; r++) {
            for (int kx = 0; kx < h; kx++) {
                double re = 0;
                double im = 0;
                for (int c = 0; c < n; c++) {
                    int phase = (int) ((long) kx * c % n);
                    re += f[r * n + c] * cos[phase];
                    im -= f[r * n + c] * sin[phase];
                }
                tRe[r * h + kx] = re;
                tIm[r * h + kx] = im;
            }
        }
        // then along y (rows)
        double[] re = new double[n * h];
        double[] im = new double[n * h];
        for (int ky = 0; ky < n; ky++) {
            for (int r = 0; r < n; r++) {
                int phase = (int) ((long) ky * r % n);
                double c = cos[phase];
                double s = -sin[phase];
                for (int kx = 0; kx < h; kx++) {
                    double a = tRe[r * h + kx];
                    double b = tIm[r * h + kx];
                    re[ky * h + kx] += a * c - b * s;
                    im[ky * h + kx] += a * s + b * c;
                }
            }
        }
        return new double[][] {re, im};
    }

    private static void checkSpan(double d) {
        if (!(d >= 0) || Double.isInfinite(d)) {
            throw new IllegalArgumentException("time span d must be finite and >= 0, got " + d);
        }
    }

    /** Validates float32 fields {@code [..., N, N]} matching the forcing's grid; returns N. */
    private int checkField(NDArray x) {
        int n = checkFieldShape(x);
        if (forcing != null && n != forcingN) {
            throw new IllegalArgumentException("forcing is given on a " + forcingN + " x " + forcingN
                    + " grid, the fields are " + x.getShape());
        }
        return n;
    }

    private static int checkFieldShape(NDArray x) {
        Shape shape = x.getShape();
        int dims = shape.dimension();
        if (dims < 2 || shape.get(dims - 1) != shape.get(dims - 2)) {
            throw new IllegalArgumentException("Navier-Stokes step expects square fields [..., N, N], got " + shape);
        }
        if (x.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException("Navier-Stokes step expects float32 fields, got " + x.getDataType());
        }
        return (int) shape.get(dims - 1);
    }

    @Override
    public String describe() {
        String f = forcing == null ? "none"
                : forcingN + "x" + forcingN + ":" + Integer.toHexString(Arrays.hashCode(forcing));
        return "navier-stokes-2d(nu=" + nu + ", alpha=" + alpha + ", " + scheme + ", dt<=" + dtMax + ", forcing=" + f
                + ")";
    }

    @Override
    public void close() {
        cacheManager.close();
    }
}
