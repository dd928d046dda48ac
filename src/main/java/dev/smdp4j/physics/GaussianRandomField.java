package dev.smdp4j.physics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.util.EngineArrays;
import dev.smdp4j.util.GaussianNoise;
import dev.smdp4j.util.Scalars;

/**
 * Gaussian random fields with a power-law spectrum, the initial states of the heat benchmark
 * (docs/BENCHMARK.md, "Initial states"): {@code x0 = Re IFFT2[(a + i b) A(f)]} with {@code a, b} i.i.d. standard
 * normal on the full N x N grid, {@code f} the radial FFT sample frequency in cycles per sample,
 * {@code A(f) = f^(-n/2)} for {@code f > 0} and {@code A(0) = 0}; IFFT2 carries the {@code 1/N^2}.
 *
 * <p>Draws come from {@link GaussianNoise} (field by field: all of {@code a}, then all of
 * {@code b}, row-major), so a seed fixes the fields. The inverse DFT is evaluated as real matrix
 * products in float64 on the engine, which works for any N.
 */
public final class GaussianRandomField {
    private static final int CHUNK = 256;
    private final double exponent;

    /** Fields whose power spectrum falls like {@code f^-exponent} (the paper: 4). */
    public GaussianRandomField(double exponent) {
        if (!Double.isFinite(exponent) || exponent < 0) {
            throw new IllegalArgumentException("power-law exponent must be finite and >= 0, got " + exponent);
        }
        this.exponent = exponent;
    }

    public double exponent() {
        return exponent;
    }

    /** The amplitude {@code A(f)} on the N x N FFT grid, row-major. */
    public double[] amplitude(int n) {
        double[] a = new double[n * n];
        for (int u = 0; u < n; u++) {
            double fu = (double) HeatKernel.wavenumber(u, n) / n;
            for (int v = 0; v < n; v++) {
                double fv = (double) HeatKernel.wavenumber(v, n) / n;
                double f = Math.sqrt(fu * fu + fv * fv);
                a[u * n + v] = f > 0 ? Math.pow(f, -exponent / 2) : 0;
            }
        }
        return a;
    }

    /**
     * The variance of each mode of the unitary 2-D DFT of these fields, divided by {@code std^2}
     * (the fields' units after dividing by {@code std}): {@code A(f_k)^2 / N^2 / std^2}, since
     * {@code Re IFFT2[(a + ib) A]} has {@code E|FFT2(x)_k|^2 = A_k^2}. Row-major {@code N x N};
     * mode 0 (the spatial mean, zero for every field) has variance 0.
     */
    public double[] modeVariance(int n, double std) {
        double[] p = amplitude(n);
        double scale = (double) n * n * std * std;
        for (int i = 0; i < p.length; i++) {
            p[i] = p[i] * p[i] / scale;
        }
        return p;
    }

    /** These fields on an {@code n x n} grid, divided by {@code std}, as a {@link GaussianPrior} ({@link #modeVariance}). */
    public GaussianPrior prior(NDManager manager, int n, double std) {
        return GaussianPrior.fourierDiagonal(manager, modeVariance(n, std), "grf(exponent=" + exponent + ")");
    }

    /** {@code count} fields of {@code n x n}, in physical units, as {@code [count, n, n]}. */
    public HostArray sample(NDManager parent, int count, int n, long seed) {
        if (n < 2) {
            throw new IllegalArgumentException("grid size N must be >= 2, got " + n);
        }
        GaussianNoise noise = new GaussianNoise(seed);
        double[] amp = amplitude(n);
        float[] out = new float[Math.multiplyExact(count, n * n)];
        try (NDManager manager = parent.newSubManager()) {
            NDArray[] cs = dftMatrices(manager, n);
            for (int start = 0; start < count; start += CHUNK) {
                int b = Math.min(CHUNK, count - start);
                try (NDManager step = manager.newSubManager()) {
                    double[] p = new double[b * n * n];
                    double[] q = new double[b * n * n];
                    for (int i = 0; i < b; i++) {
                        float[] a = noise.next(n * n);
                        float[] bb = noise.next(n * n);
                        for (int j = 0; j < n * n; j++) {
                            p[i * n * n + j] = a[j] * amp[j];
                            q[i * n * n + j] = bb[j] * amp[j];
                        }
                    }
                    Shape shape = new Shape(b, n, n);
                    NDArray field = realInverseDft(
                            EngineArrays.of(step, p, shape), EngineArrays.of(step, q, shape), cs[0], cs[1], n);
                    float[] chunk = field.toType(DataType.FLOAT32, false).toFloatArray();
                    System.arraycopy(chunk, 0, out, start * n * n, chunk.length);
                }
            }
        }
        return new HostArray(out, count, n, n);
    }

    /** Cosine and sine matrices {@code C[j][u] = cos(2 pi j u / n)}, {@code S = sin}, float64. */
    static NDArray[] dftMatrices(NDManager manager, int n) {
        double[] c = new double[n * n];
        double[] s = new double[n * n];
        for (int j = 0; j < n; j++) {
            for (int u = 0; u < n; u++) {
                double angle = 2 * Math.PI * (((long) j * u) % n) / n;
                c[j * n + u] = Math.cos(angle);
                s[j * n + u] = Math.sin(angle);
            }
        }
        return new NDArray[] {EngineArrays.of(manager, c, new Shape(n, n)), EngineArrays.of(manager, s, new Shape(n, n))
        };
    }

    /**
     * {@code Re IFFT2[P + i Q]} for batches of spectra: with {@code W = C + i S} (symmetric),
     * {@code IFFT2 = W (P + iQ) W / n^2}, whose real part is {@code (CPC - SQC - SPS - CQS) / n^2}.
     */
    private static NDArray realInverseDft(NDArray p, NDArray q, NDArray c, NDArray s, int n) {
        NDArray re =
                sandwich(p, c, c).sub(sandwich(q, s, c)).sub(sandwich(p, s, s)).sub(sandwich(q, c, s));
        return Scalars.div(re, (double) n * n);
    }

    /** {@code L x R} for symmetric {@code L}, keeping the batch tensor on the left of every product. */
    private static NDArray sandwich(NDArray x, NDArray left, NDArray right) {
        return x.matMul(right).swapAxes(1, 2).matMul(left).swapAxes(1, 2);
    }
}
