package dev.smdp4j.physics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
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
 * <p><b>Spatial discretisation</b>: pseudo-spectral with the 2/3 rule, in {@link SpectralGrid}.
 *
 * <p><b>Time stepping</b>: the linear part {@code L = -nu |k|^2 - alpha} implicit (Crank-Nicolson),
 * advection and forcing explicit, by {@link Scheme#CN_EULER} or {@link Scheme#CN_RK4} (the default,
 * a low-storage IMEX Runge-Kutta), both in {@link ImexStepper}.
 *
 * <p>{@link #increment} and {@link #advance} cover a span {@code d >= 0} in {@code ceil(d / dtMax)}
 * equal sub-steps (negative spans are rejected: running the viscous equation backwards amplifies
 * mode {@code k} by about {@code exp(nu |k|^2 |d|)}, an ill-posed problem). Everything is
 * differentiable through DJL autograd (complex values stay complex on the graph and meet only
 * constant complex multipliers). Per sub-step the CN_RK4 scheme makes
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
    /** The linear part's reversal multipliers of {@link #reverseIncrement}, per grid size and span. */
    private final FourierMultiplier reverseLinear;
    /** The same flow without viscosity and drag, for {@link #reverseIncrement}; made on first use. */
    private NavierStokes2d inviscid;

    private final Map<Integer, SpectralGrid> grids = new LinkedHashMap<>();
    private final Map<List<Object>, ImexStepper> steppers = new LinkedHashMap<>();

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
                throw new IllegalArgumentException(
                        "forcing must hold N * N values of a square grid, got " + forcing.length + " values");
            }
            for (int i = 0; i < forcing.length; i++) {
                if (!Double.isFinite(forcing[i])) {
                    throw new IllegalArgumentException("forcing value " + forcing[i] + " at (row " + i / n + ", column "
                            + i % n + ") is not finite");
                }
            }
            this.forcing = forcing.clone();
            this.forcingN = n;
            double[][] hat = SpectralGrid.halfSpectrum(this.forcing, n);
            this.forcingHatRe = hat[0];
            this.forcingHatIm = hat[1];
        } else {
            this.forcing = null;
            this.forcingN = -1;
            this.forcingHatRe = null;
            this.forcingHatIm = null;
        }
        this.cacheManager = parent.newSubManager();
        this.reverseLinear = new FourierMultiplier(cacheManager);
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
            throw new IllegalArgumentException(
                    "time span " + d + " needs " + steps + " steps of at most " + dtMax + ", too many");
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
            SpectralGrid grid = grid(n, perCall);
            ImexStepper stepper = stepper(n, d / steps, perCall);
            NDArray w = Scopes.inScope(target, x, v -> v.rfft(n, -1).fft(n, -2));
            for (int s = 0; s < steps; s++) {
                // closing a replaced spectrum frees its handle only: autograd keeps what it needs
                w = Scopes.replace(target, w, null, v -> stepper.step(v, grid, n));
            }
            NDArray spectrum = w;
            NDArray out = Scopes.inScope(target, spectrum, v -> SpectralGrid.toField(v, n));
            spectrum.close();
            return out;
        }
    }

    /**
     * One step of the reverse-time physics over {@code d} that stays stable where the default, the
     * forward increment reversed by an explicit Euler step, is not: explicit Euler on advection
     * amplifies every mode by {@code sqrt(1 + (|u| |k| d)^2)} per step, which at the data's step
     * ({@code d = T/M}) made SMDP's reverse rollouts blow up within a few steps, with or without
     * a score (docs/RESULTS.md, "2-D Navier-Stokes"). Instead, advection runs back in time exactly,
     * in the sub-steps {@link #advance} takes: the inviscid, unforced flow is time-reversible,
     * {@code w(t - d) = -A_d(-w(t))} with {@code A_d} the forward inviscid flow. The ill-posed part,
     * viscosity and drag, is reversed to first order as the default does, by the bounded factor
     * {@code 2 - exp(L(k) d)} per mode ({@code L(k) = -nu |k|^2 - alpha}; at most 2). So
     * {@code R_d(x) = M_d(-A_d(-x)) - x}, which is {@code -d f(x) + O(d^2)}. With a forcing the
     * reversal is not of this form, and the default applies.
     */
    @Override
    public NDArray reverseIncrement(NDArray x, double d) {
        int n = checkField(x);
        if (forcing != null) {
            return PhysicsModel.super.reverseIncrement(x, d);
        }
        NavierStokes2d flow = inviscid();
        return Scopes.inScope(x.getManager(), x, v -> {
            NDArray back = flow.advance(v.neg(), d).neg();
            return reverseLinear
                    .apply(back, List.of("reverse-linear", d), () -> reverseLinearSymbol(n, d))
                    .sub(v);
        });
    }

    private synchronized NavierStokes2d inviscid() {
        if (inviscid == null) {
            inviscid = new NavierStokes2d(cacheManager, 0, 0, null, dtMax, scheme);
        }
        return inviscid;
    }

    /** {@code 2 - exp(L(k) d)} on the full {@code n x n} FFT grid, row-major. */
    private double[] reverseLinearSymbol(int n, double d) {
        double[] w = new double[n * n];
        for (int r = 0; r < n; r++) {
            int ky = Math.floorMod(r + n / 2, n) - n / 2;
            for (int c = 0; c < n; c++) {
                int kx = Math.floorMod(c + n / 2, n) - n / 2;
                w[r * n + c] = 2 - Math.exp((-nu * ((double) ky * ky + (double) kx * kx) - alpha) * d);
            }
        }
        return w;
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
            SpectralGrid grid = grid(n, perCall);
            return Scopes.inScope(target, x, v -> {
                NDArray w = v.rfft(n, -1).fft(n, -2);
                NDArray r = w.mul(grid.linear).add(grid.advectionSpectrum(w, n).mul(grid.negMask));
                if (grid.forcingHat != null) {
                    r = r.add(grid.forcingHat);
                }
                return SpectralGrid.toField(r, n);
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
            SpectralGrid grid = grid(n, perCall);
            int rank = x.getShape().dimension();
            return Scopes.inScope(
                    target,
                    x,
                    v -> SpectralGrid.toField(
                            v.rfft(n, -1).fft(n, -2).expandDims(rank - 2).mul(grid.velocity), n));
        }
    }

    private synchronized SpectralGrid grid(int n, NDManager perCall) {
        SpectralGrid cached = grids.get(n);
        if (cached != null) {
            return cached;
        }
        boolean keep = grids.size() < CACHE_CAPACITY;
        SpectralGrid grid = SpectralGrid.build(
                n,
                nu,
                alpha,
                n == forcingN ? forcingHatRe : null,
                n == forcingN ? forcingHatIm : null,
                keep ? cacheManager : perCall);
        if (keep) {
            grids.put(n, grid);
        }
        return grid;
    }

    private synchronized ImexStepper stepper(int n, double dt, NDManager perCall) {
        List<Object> key = List.of(n, Double.doubleToLongBits(dt));
        ImexStepper cached = steppers.get(key);
        if (cached != null) {
            return cached;
        }
        boolean keep = steppers.size() < CACHE_CAPACITY;
        ImexStepper stepper =
                ImexStepper.build(scheme, n, dt, nu, alpha, forcingHatRe, forcingHatIm, keep ? cacheManager : perCall);
        if (keep) {
            steppers.put(key, stepper);
        }
        return stepper;
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
            throw new IllegalArgumentException(
                    "forcing is given on a " + forcingN + " x " + forcingN + " grid, the fields are " + x.getShape());
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
        String f = forcing == null
                ? "none"
                : forcingN + "x" + forcingN + ":" + Integer.toHexString(Arrays.hashCode(forcing));
        return "navier-stokes-2d(nu=" + nu + ", alpha=" + alpha + ", " + scheme + ", dt<=" + dtMax + ", forcing=" + f
                + ")";
    }

    @Override
    public void close() {
        cacheManager.close();
    }
}
