package dev.smdp4j.physics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.smdp4j.util.EngineArrays;
import dev.smdp4j.util.Scalars;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A real Fourier multiplier on periodic {@code N x N} fields: {@code Re IFFT2[w * FFT2(x)]}, the
 * form of every linear operator of the heat benchmark (heat step, exact score, posterior mean and
 * covariance square root; docs/BENCHMARK.md, "Closed form"), applied to batches {@code [..., N, N]}.
 *
 * <p>{@code w} is given on the full {@code N x N} FFT grid, row-major over FFT indices
 * {@code (u, v)} (wavenumbers as {@link HeatKernel#wavenumber}), and must be even,
 * {@code w(k) = w(-k)}: then the operator maps real fields to real fields, is symmetric, and may
 * be evaluated on the half spectrum of a real FFT ({@code rfft} along the last axis, {@code fft}
 * along the other) exactly as the FFT scheme of {@link HeatEquation}. The evaluation is
 * differentiable through DJL autograd.
 *
 * <p>Multipliers used repeatedly are addressed by a caller-chosen key, converted once and cached
 * in this object's own manager (up to {@link #CACHE_CAPACITY} entries); beyond that they are built
 * in the caller's manager and freed with it. Results always live in the manager of the input.
 */
public final class FourierMultiplier implements AutoCloseable {

    /** Maximum number of cached multipliers. */
    public static final int CACHE_CAPACITY = 256;

    private final NDManager cacheManager;
    private final Map<List<Object>, NDArray> cache = new LinkedHashMap<>();

    /** An empty multiplier cache whose arrays live in a sub-manager of {@code parent}. */
    public FourierMultiplier(NDManager parent) {
        this.cacheManager = parent.newSubManager();
    }

    /**
     * {@code Re IFFT2[w * FFT2(x)]} with {@code w} looked up under {@code key} for the grid size of
     * {@code x}, or obtained from {@code multiplier} (and validated) on the first use.
     *
     * @param x a batch of fields {@code [..., N, N]}
     * @param key identifies {@code w} among this cache's multipliers (the grid size is added to it)
     * @param multiplier supplies {@code w} on the full {@code N x N} FFT grid, row-major
     * @return the filtered fields, in {@code x}'s manager
     */
    public NDArray apply(NDArray x, Object key, Supplier<double[]> multiplier) {
        int n = gridSize(x);
        return filter(x, n, cached(List.of(Objects.requireNonNull(key, "key"), n), n, multiplier, x.getManager()));
    }

    /** {@code Re IFFT2[w * FFT2(x)]} for a one-off {@code w}, built in {@code x}'s manager and not cached. */
    public static NDArray apply(NDArray x, double[] w) {
        int n = gridSize(x);
        return filter(x, n, halfSpectrum(x.getManager(), w, n));
    }

    /**
     * Checks that {@code w} is a valid multiplier for an {@code n x n} grid: {@code n * n} values,
     * each finite and representable in float32 (the engine's precision), and even,
     * {@code w(k) = w(-k)} up to a relative {@code 1e-12} of its largest magnitude.
     *
     * @throws IllegalArgumentException naming the first violation
     */
    public static void validate(double[] w, int n) {
        if (w.length != n * n) {
            throw new IllegalArgumentException(
                    "multiplier has " + w.length + " values, an " + n + " x " + n + " grid needs " + n * n);
        }
        double max = 0;
        for (int i = 0; i < w.length; i++) {
            if (!Double.isFinite(w[i]) || Math.abs(w[i]) > Float.MAX_VALUE) {
                throw new IllegalArgumentException("multiplier value " + w[i] + " at FFT index (" + i / n + ", " + i % n
                        + ") is not a finite float32");
            }
            max = Math.max(max, Math.abs(w[i]));
        }
        for (int u = 0; u < n; u++) {
            for (int v = 0; v < n; v++) {
                double a = w[u * n + v];
                double b = w[Math.floorMod(-u, n) * n + Math.floorMod(-v, n)];
                if (Math.abs(a - b) > 1e-12 * max) {
                    throw new IllegalArgumentException("multiplier is not even, w(k) != w(-k), at FFT index (" + u
                            + ", " + v + "): " + a + " vs " + b);
                }
            }
        }
    }

    private synchronized NDArray cached(
            List<Object> key, int n, Supplier<double[]> multiplier, NDManager transientManager) {
        NDArray op = cache.get(key);
        if (op != null) {
            return op;
        }
        boolean keep = cache.size() < CACHE_CAPACITY;
        op = halfSpectrum(keep ? cacheManager : transientManager, multiplier.get(), n);
        if (keep) {
            cache.put(key, op);
        }
        return op;
    }

    private static NDArray filter(NDArray x, int n, NDArray half) {
        // The cached multiplier is the right operand: a DJL result lives in its left operand's
        // manager, which must be x's. The trailing mul(1) hands PyTorch's irfft backward a dense
        // gradient; it fails on a non-contiguous one (e.g. the stride-0 gradient of sum()).
        return Scalars.mul(x.rfft(n, -1).fft(n, -2).mul(half).ifft(n, -2).irfft(n, -1), 1);
    }

    /** {@code w} restricted to the {@code [N, N/2 + 1]} half spectrum of {@code rfft}, as complex64. */
    private static NDArray halfSpectrum(NDManager manager, double[] w, int n) {
        validate(w, n);
        int half = n / 2 + 1;
        float[] h = new float[n * half];
        for (int u = 0; u < n; u++) {
            for (int v = 0; v < half; v++) {
                h[u * half + v] = (float) w[u * n + v];
            }
        }
        try (NDArray real = EngineArrays.of(manager, h, new Shape(n, half))) {
            return real.toType(DataType.COMPLEX64, true);
        }
    }

    private static int gridSize(NDArray x) {
        Shape shape = x.getShape();
        int dims = shape.dimension();
        if (dims < 2 || shape.get(dims - 1) != shape.get(dims - 2)) {
            throw new IllegalArgumentException("Fourier multiplier expects fields [..., N, N], got " + shape);
        }
        return (int) shape.get(dims - 1);
    }

    @Override
    public void close() {
        cacheManager.close();
    }
}
