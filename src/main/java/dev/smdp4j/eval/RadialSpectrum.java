package dev.smdp4j.eval;

import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The radial spectrum used by the spectral error of the heat benchmark
 * (docs/BENCHMARK.md, section "Metrics").
 *
 * <p>For an {@code N x N} field {@code x}, {@code R_x(r)} is the mean of {@code |Re FFT2(x)|} over
 * the cells of the fftshifted spectrum (zero frequency at index {@code (N/2, N/2)}, integer
 * division, as numpy's {@code fftshift}) whose Euclidean distance from that centre, rounded down,
 * equals {@code r}. The DFT is unnormalised:
 * {@code Re FFT2(x)[u][v] = sum_{j,l} x[j][l] cos(2 pi (u j + v l) / N)}.
 *
 * <p>The real part is computed as {@code C X C - S X S} with the cosine and sine matrices
 * {@code C[u][j] = cos(2 pi u j / N)}, {@code S[u][j] = sin(2 pi u j / N)}: exact for any
 * {@code N}, {@code O(N^3)}, and independent of any FFT library, which is what a reference metric
 * wants. The matrices and ring indices are cached per {@code N}.
 */
public final class RadialSpectrum {
    private static final Map<Integer, Basis> BASES = new ConcurrentHashMap<>();

    private RadialSpectrum() {}

    /**
     * {@code R_x(r)} for {@code r = 0..maxRing(n)} of the {@code n x n} field stored row-major in
     * {@code field} from {@code offset} (docs/BENCHMARK.md, "Metrics", spectral error).
     */
    public static double[] of(float[] field, int offset, int n) {
        return of(asDoubles(field, offset, n), 0, n);
    }

    /** As {@link #of(float[], int, int)}, for a double-precision field. */
    public static double[] of(double[] field, int offset, int n) {
        Basis basis = basis(n);
        double[] re = realDft(field, offset, n);
        double[] sums = new double[basis.counts.length];
        for (int i = 0; i < re.length; i++) {
            sums[basis.ring[i]] += Math.abs(re[i]);
        }
        for (int r = 0; r < sums.length; r++) {
            // Every ring 0..maxRing holds at least one cell (see maxRing), so no division by zero.
            sums[r] /= basis.counts[r];
        }
        return sums;
    }

    /** As {@link #of(float[], int, int)}, for a {@link HostArray} of shape {@code [N, N]}. */
    public static double[] of(HostArray field) {
        if (field.rank() != 2 || field.dim(0) != field.dim(1)) {
            throw new InvalidInputException(
                    "radial spectrum needs one square field of shape [N, N], got " + field.shapeString());
        }
        return of(field.data(), 0, field.dim(0));
    }

    /**
     * The real part of the unnormalised 2-D DFT, {@code Re FFT2(x)}, unshifted, row-major
     * {@code [u][v]} (docs/BENCHMARK.md, "Metrics").
     */
    public static double[] realDft(double[] field, int offset, int n) {
        return dft(field, offset, n, false);
    }

    /**
     * The power of the unnormalised 2-D DFT, {@code |FFT2(x)|^2}, unshifted, row-major {@code [u][v]}:
     * the same sums as {@link #realDft}, with the imaginary part {@code -(C X S + S X C)}.
     */
    public static double[] powerDft(double[] field, int offset, int n) {
        return dft(field, offset, n, true);
    }

    private static double[] dft(double[] field, int offset, int n, boolean power) {
        checkBounds(field.length, offset, n);
        Basis basis = basis(n);
        double[] c = basis.cos;
        double[] s = basis.sin;
        // FFT2(x) = (C - iS) X (C - iS)^T = (C X C - S X S) - i (C X S + S X C), since C and S are symmetric.
        double[] cx = new double[n * n];
        double[] sx = new double[n * n];
        for (int u = 0; u < n; u++) {
            for (int j = 0; j < n; j++) {
                double cuj = c[u * n + j];
                double suj = s[u * n + j];
                int row = offset + j * n;
                for (int l = 0; l < n; l++) {
                    double xjl = field[row + l];
                    cx[u * n + l] += cuj * xjl;
                    sx[u * n + l] += suj * xjl;
                }
            }
        }
        double[] re = new double[n * n];
        double[] im = power ? new double[n * n] : null;
        for (int u = 0; u < n; u++) {
            for (int l = 0; l < n; l++) {
                double a = cx[u * n + l];
                double b = sx[u * n + l];
                for (int v = 0; v < n; v++) {
                    re[u * n + v] += a * c[l * n + v] - b * s[l * n + v];
                    if (power) {
                        im[u * n + v] -= a * s[l * n + v] + b * c[l * n + v];
                    }
                }
            }
        }
        if (power) {
            for (int i = 0; i < re.length; i++) {
                re[i] = re[i] * re[i] + im[i] * im[i];
            }
        }
        return re;
    }

    /**
     * Ring of the unshifted frequency index {@code (u, v)}: the floor of its distance from the
     * centre {@code (n/2, n/2)} after fftshift, which moves index {@code u} to {@code (u + n/2) mod n}.
     */
    public static int ringOf(int u, int v, int n) {
        int du = Math.floorMod(u + n / 2, n) - n / 2;
        int dv = Math.floorMod(v + n / 2, n) - n / 2;
        // The same IEEE sqrt and floor as numpy's np.floor(np.sqrt(...)), so the rings agree exactly.
        return (int) Math.floor(Math.sqrt((double) (du * du + dv * dv)));
    }

    /**
     * The largest ring holding any cell, {@code floor(sqrt(2) * (n/2))} for n >= 2 (22 at N = 32).
     * Every ring from 0 to it holds at least one cell, since the lattice distances inside the grid
     * have no gap of a full unit. Rings above {@link #lastCompleteRing} hold only corner cells.
     */
    public static int maxRing(int n) {
        return basis(n).counts.length - 1;
    }

    /**
     * The largest ring that lies wholly inside the grid, i.e. that holds every lattice cell of its
     * distance band: {@code (n - 1) / 2} (15 at N = 32; ring 10 is complete from N = 21 on).
     */
    public static int lastCompleteRing(int n) {
        checkSize(n);
        return (n - 1) / 2;
    }

    /** Number of cells in each ring {@code 0..maxRing(n)} (a copy). */
    public static int[] ringCounts(int n) {
        return basis(n).counts.clone();
    }

    static double[] asDoubles(float[] field, int offset, int n) {
        checkBounds(field.length, offset, n);
        double[] out = new double[n * n];
        for (int i = 0; i < out.length; i++) {
            out[i] = field[offset + i];
        }
        return out;
    }

    private static void checkSize(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("grid size must be positive, got " + n);
        }
    }

    private static void checkBounds(int length, int offset, int n) {
        checkSize(n);
        if (offset < 0 || (long) offset + (long) n * n > length) {
            throw new IllegalArgumentException("an " + n + " x " + n + " field at offset " + offset
                    + " does not fit in an array of length " + length);
        }
    }

    private static Basis basis(int n) {
        checkSize(n);
        return BASES.computeIfAbsent(n, Basis::new);
    }

    /** Cosine and sine matrices and the ring of every (unshifted) frequency cell, for one N. */
    private static final class Basis {
        final double[] cos;
        final double[] sin;
        final int[] ring;
        final int[] counts;

        Basis(int n) {
            cos = new double[n * n];
            sin = new double[n * n];
            for (int u = 0; u < n; u++) {
                for (int j = 0; j < n; j++) {
                    // Reduce u*j mod n first: the angle stays in [0, 2 pi) and keeps full accuracy.
                    double angle = 2 * Math.PI * (((long) u * j) % n) / n;
                    cos[u * n + j] = Math.cos(angle);
                    sin[u * n + j] = Math.sin(angle);
                }
            }
            ring = new int[n * n];
            int max = 0;
            for (int u = 0; u < n; u++) {
                for (int v = 0; v < n; v++) {
                    ring[u * n + v] = ringOf(u, v, n);
                    max = Math.max(max, ring[u * n + v]);
                }
            }
            counts = new int[max + 1];
            for (int r : ring) {
                counts[r]++;
            }
        }
    }
}
