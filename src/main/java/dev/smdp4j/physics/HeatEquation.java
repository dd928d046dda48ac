package dev.smdp4j.physics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.smdp4j.util.EngineArrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The exact ("spectral") step of the periodic heat equation {@code du/dt = alpha Laplacian(u)} on
 * {@code [0, 2 pi)^2}: {@code H_d(x) = Re IFFT2[exp(-alpha |k|^2 d) FFT2(x)]}, an exponential
 * integrator rather than a stencil, so any {@code d} is exact and stable.
 *
 * <p>Two mathematically identical evaluations are offered. {@link Scheme#DENSE} uses that the
 * multiplier is separable, {@code H_d(x) = A x A^T} with {@code A} the real symmetric circulant
 * matrix of the one-dimensional step: two batched matrix products. {@link Scheme#FFT} goes through
 * {@code rfft}/{@code fft} and back. Both are differentiable through DJL autograd and batched over
 * any leading dimensions. {@link Scheme#DENSE} is the default because it measured faster at the
 * grid sizes of the benchmark (see docs/BENCHMARKS.md); {@link Scheme#FFT} is kept as the
 * independent test reference and for large grids, where {@code O(N^3)} loses to {@code O(N^2 log N)}.
 *
 * <p>Operators for a given (N, d) are computed once and cached in this object's own manager (up
 * to {@link #CACHE_CAPACITY} entries, enough for any uniform grid); beyond that, e.g. under time
 * jitter, they are built in the caller's manager and freed with it.
 */
public final class HeatEquation implements PhysicsModel, AutoCloseable {

    /** How the exact step is evaluated. */
    public enum Scheme {
        /** Two matrix products with the circulant matrix of the 1-D step. */
        DENSE,
        /** Real FFT along the last axis, complex FFT along the other, multiplier, and back. */
        FFT
    }

    /** Maximum number of cached operators. */
    public static final int CACHE_CAPACITY = 256;

    private final double alpha;
    private final Scheme scheme;
    private final NDManager cacheManager;
    private final Map<String, NDArray> cache = new LinkedHashMap<>();
    private final FourierMultiplier fourier;

    /** A heat equation with diffusivity {@code alpha} evaluated by {@code scheme}. */
    public HeatEquation(NDManager parent, double alpha, Scheme scheme) {
        if (!(alpha >= 0) || Double.isInfinite(alpha)) {
            throw new IllegalArgumentException("diffusivity alpha must be finite and >= 0, got " + alpha);
        }
        this.alpha = alpha;
        this.scheme = Objects.requireNonNull(scheme, "scheme");
        this.cacheManager = parent.newSubManager();
        this.fourier = new FourierMultiplier(cacheManager);
    }

    /** A heat equation with diffusivity {@code alpha} and the default (fastest measured) scheme. */
    public HeatEquation(NDManager parent, double alpha) {
        this(parent, alpha, Scheme.DENSE);
    }

    public double alpha() {
        return alpha;
    }

    public Scheme scheme() {
        return scheme;
    }

    @Override
    public NDArray increment(NDArray x, double d) {
        return advance(x, d).sub(x);
    }

    @Override
    public NDArray advance(NDArray x, double d) {
        if (!(d >= 0) || Double.isInfinite(d)) {
            throw new IllegalArgumentException("time span d must be finite and >= 0, got " + d);
        }
        int n = checkFields(x);
        return scheme == Scheme.DENSE ? advanceDense(x, n, d) : advanceFft(x, n, d);
    }

    /** The exact generator {@code alpha Laplacian(x)} (spectral: {@code -alpha |k|^2} per mode). */
    @Override
    public NDArray rate(NDArray x) {
        int n = checkFields(x);
        if (scheme == Scheme.DENSE) {
            // separable generator: L x = G x + x G with the symmetric 1-D circulant G
            NDArray g = operator("rate-dense", n, 0, x.getManager());
            int last = x.getShape().dimension() - 1;
            return x.matMul(g).add(x.swapAxes(last, last - 1).matMul(g).swapAxes(last, last - 1));
        }
        return fourier.apply(x, "rate", () -> symbol(n, k2 -> -alpha * k2));
    }

    /** {@code exp(-alpha |k|^2 d)}: the step is a Fourier multiplier whichever scheme evaluates it. */
    @Override
    public double[] fourierSymbol(int n, double d) {
        return symbol(n, k2 -> Math.exp(-alpha * k2 * d));
    }

    private NDArray advanceDense(NDArray x, int n, double d) {
        NDArray a = operator("dense", n, d, x.getManager());
        // H_d(x) = A x A^T with A = A^T. Results of DJL ops live in the manager of the left
        // operand, so the cached A must never be on the left: A (x A) = ((x A)^T A)^T.
        int last = x.getShape().dimension() - 1;
        return x.matMul(a).swapAxes(last, last - 1).matMul(a).swapAxes(last, last - 1);
    }

    private NDArray advanceFft(NDArray x, int n, double d) {
        return fourier.apply(x, "step:" + Double.doubleToLongBits(d), () -> fourierSymbol(n, d));
    }

    /** {@code symbol(|k|^2)} on the full N x N FFT grid. */
    private static double[] symbol(int n, java.util.function.DoubleUnaryOperator symbol) {
        double[] k2 = HeatKernel.wavenumberSquared(n);
        for (int i = 0; i < k2.length; i++) {
            k2[i] = symbol.applyAsDouble(k2[i]);
        }
        return k2;
    }

    private static int checkFields(NDArray x) {
        Shape shape = x.getShape();
        int dims = shape.dimension();
        if (dims < 2 || shape.get(dims - 1) != shape.get(dims - 2)) {
            throw new IllegalArgumentException("heat step expects fields [..., N, N], got " + shape);
        }
        return (int) shape.get(dims - 1);
    }

    private synchronized NDArray operator(String kind, int n, double d, NDManager transientManager) {
        String key = kind + ":" + n + ":" + Double.doubleToLongBits(d);
        NDArray cached = cache.get(key);
        if (cached != null) {
            return cached;
        }
        boolean keep = cache.size() < CACHE_CAPACITY;
        NDManager target = keep ? cacheManager : transientManager;
        NDArray op = matrix(
                target, kind.equals("dense") ? HeatKernel.circulant(n, alpha, d) : HeatKernel.generator(n, alpha));
        if (keep) {
            cache.put(key, op);
        }
        return op;
    }

    private static NDArray matrix(NDManager manager, double[][] a) {
        int n = a.length;
        float[] flat = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                flat[i * n + j] = (float) a[i][j];
            }
        }
        return EngineArrays.of(manager, flat, new Shape(n, n));
    }

    @Override
    public String describe() {
        return "heat-spectral(alpha=" + alpha + ", scheme=" + scheme.name().toLowerCase() + ")";
    }

    @Override
    public void close() {
        fourier.close();
        cacheManager.close();
    }
}
