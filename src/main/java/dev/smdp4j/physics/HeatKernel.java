package dev.smdp4j.physics;

/**
 * Closed forms of the periodic heat semigroup on [0, 2 pi)^2, in double precision on the host.
 *
 * <p>On this domain the Fourier wavenumbers are integers, and the exact step
 * {@code H_d = IFFT2[exp(-alpha |k|^2 d) FFT2(.)]} is separable: {@code H_d(x) = A x A^T} with
 * {@code A} the real, symmetric, circulant matrix of the one-dimensional step. These helpers are
 * the engine-independent reference used by the metrics and the tests.
 */
public final class HeatKernel {
    private HeatKernel() {}

    /** Integer wavenumber of FFT index {@code j} on an {@code n}-point grid (numpy's fftfreq times n). */
    public static int wavenumber(int j, int n) {
        return j < (n + 1) / 2 ? j : j - n;
    }

    /** {@code |k|^2 = ky^2 + kx^2} on the full {@code n x n} FFT grid, row-major over (ky, kx) indices. */
    public static double[] wavenumberSquared(int n) {
        double[] k2 = new double[n * n];
        for (int u = 0; u < n; u++) {
            int ky = wavenumber(u, n);
            for (int v = 0; v < n; v++) {
                int kx = wavenumber(v, n);
                k2[u * n + v] = (double) ky * ky + (double) kx * kx;
            }
        }
        return k2;
    }

    /**
     * The {@code n x n} circulant matrix of the one-dimensional exact heat step,
     * {@code A[j][l] = (1/n) sum_k exp(-alpha k^2 d) cos(2 pi k (j - l) / n)}.
     */
    public static double[][] circulant(int n, double alpha, double d) {
        return circulantOf(n, k -> Math.exp(-alpha * k * k * d));
    }

    /**
     * The {@code n x n} circulant matrix of the one-dimensional heat generator {@code alpha d^2/dx^2},
     * eigenvalue {@code -alpha k^2} on wavenumber {@code k}; in two dimensions {@code L x = G x + x G}.
     */
    public static double[][] generator(int n, double alpha) {
        return circulantOf(n, k -> -alpha * k * k);
    }

    /** The real symmetric circulant matrix with eigenvalue {@code symbol(k)} on wavenumber k (symbol even). */
    private static double[][] circulantOf(int n, java.util.function.IntToDoubleFunction symbol) {
        double[] column = new double[n];
        for (int m = 0; m < n; m++) {
            double s = 0;
            for (int j = 0; j < n; j++) {
                int k = wavenumber(j, n);
                s += symbol.applyAsDouble(k) * Math.cos(2 * Math.PI * k * m / n);
            }
            column[m] = s / n;
        }
        double[][] a = new double[n][n];
        for (int j = 0; j < n; j++) {
            for (int l = 0; l < n; l++) {
                a[j][l] = column[Math.floorMod(j - l, n)];
            }
        }
        return a;
    }

    /** {@code A x A^T} for one {@code n x n} field stored row-major in {@code x} from {@code offset}. */
    public static double[] apply(double[][] a, float[] x, int offset, int n) {
        double[] tmp = new double[n * n];
        // tmp = A x
        for (int i = 0; i < n; i++) {
            for (int l = 0; l < n; l++) {
                double ail = a[i][l];
                if (ail == 0) {
                    continue;
                }
                int row = offset + l * n;
                for (int j = 0; j < n; j++) {
                    tmp[i * n + j] += ail * x[row + j];
                }
            }
        }
        // out = tmp A^T, i.e. out[i][j] = sum_l tmp[i][l] a[j][l]
        double[] out = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                double[] aj = a[j];
                for (int l = 0; l < n; l++) {
                    s += tmp[i * n + l] * aj[l];
                }
                out[i * n + j] = s;
            }
        }
        return out;
    }
}
