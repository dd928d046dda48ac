package dev.smdp4j.score;

import dev.smdp4j.physics.HeatKernel;

/**
 * Dense real-space linear algebra in double precision on flattened {@code N x N} fields (row-major),
 * the independent reference for the Fourier-diagonal closed forms: covariances are built as
 * matrices and systems solved by Gaussian elimination, with no FFT involved.
 */
final class RealSpace {
    private RealSpace() {}

    /**
     * Covariance of a stationary field with unitary per-mode variances {@code v} (FFT-grid order):
     * {@code Sigma[a][b] = (1/N^2) sum_k v_k cos(2 pi k.(a - b) / N)}, the sum of {@code v_k} times
     * the outer products of the real Fourier basis (i.e. {@code Re F^H diag(v) F / N^2}).
     */
    static double[][] stationaryCovariance(double[] v, int n) {
        int size = n * n;
        // The covariance depends only on the lag (dy, dx) mod n: tabulate it once.
        double[] lag = new double[size];
        for (int dy = 0; dy < n; dy++) {
            for (int dx = 0; dx < n; dx++) {
                double s = 0;
                for (int u = 0; u < n; u++) {
                    for (int w = 0; w < n; w++) {
                        long phase =
                                ((long) HeatKernel.wavenumber(u, n) * dy + (long) HeatKernel.wavenumber(w, n) * dx);
                        s += v[u * n + w] * Math.cos(2 * Math.PI * Math.floorMod(phase, n) / n);
                    }
                }
                lag[dy * n + dx] = s / size;
            }
        }
        double[][] sigma = new double[size][size];
        for (int a = 0; a < size; a++) {
            for (int b = 0; b < size; b++) {
                int dy = Math.floorMod(a / n - b / n, n);
                int dx = Math.floorMod(a % n - b % n, n);
                sigma[a][b] = lag[dy * n + dx];
            }
        }
        return sigma;
    }

    /** The exact heat step on flattened fields: {@code H_d(x) = A x A^T} is {@code (A kron A) vec(x)} for row-major vec. */
    static double[][] heatMatrix(int n, double alpha, double d) {
        double[][] a = HeatKernel.circulant(n, alpha, d);
        double[][] h = new double[n * n][n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < n; k++) {
                    for (int l = 0; l < n; l++) {
                        h[i * n + j][k * n + l] = a[i][k] * a[j][l];
                    }
                }
            }
        }
        return h;
    }

    /** {@code H Sigma H^T + q I}: the covariance after one step {@code x -> H x + sqrt(q) z}. */
    static double[][] propagate(double[][] sigma, double[][] h, double q) {
        double[][] out = mul(mul(h, sigma), transpose(h));
        for (int i = 0; i < out.length; i++) {
            out[i][i] += q;
        }
        return out;
    }

    static double[][] mul(double[][] a, double[][] b) {
        int rows = a.length;
        int inner = b.length;
        int cols = b[0].length;
        double[][] c = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int k = 0; k < inner; k++) {
                double aik = a[i][k];
                for (int j = 0; j < cols; j++) {
                    c[i][j] += aik * b[k][j];
                }
            }
        }
        return c;
    }

    static double[] mul(double[][] a, double[] x) {
        double[] y = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            double s = 0;
            for (int j = 0; j < x.length; j++) {
                s += a[i][j] * x[j];
            }
            y[i] = s;
        }
        return y;
    }

    static double[][] transpose(double[][] a) {
        double[][] t = new double[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                t[j][i] = a[i][j];
            }
        }
        return t;
    }

    /** {@code A^{-1} b} by Gaussian elimination with partial pivoting; {@code A} must be nonsingular. */
    static double[] solve(double[][] a, double[] b) {
        int n = b.length;
        double[][] m = new double[n][];
        for (int i = 0; i < n; i++) {
            m[i] = new double[n + 1];
            System.arraycopy(a[i], 0, m[i], 0, n);
            m[i][n] = b[i];
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) {
                    pivot = r;
                }
            }
            if (m[pivot][col] == 0) {
                throw new ArithmeticException("singular matrix at column " + col);
            }
            double[] tmp = m[col];
            m[col] = m[pivot];
            m[pivot] = tmp;
            for (int r = col + 1; r < n; r++) {
                double f = m[r][col] / m[col][col];
                if (f != 0) {
                    for (int c = col; c <= n; c++) {
                        m[r][c] -= f * m[col][c];
                    }
                }
            }
        }
        double[] x = new double[n];
        for (int r = n - 1; r >= 0; r--) {
            double s = m[r][n];
            for (int c = r + 1; c < n; c++) {
                s -= m[r][c] * x[c];
            }
            x[r] = s / m[r][r];
        }
        return x;
    }

    /**
     * {@code Sigma^+ b} for a covariance whose only null direction is the constant field (a prior
     * with {@code p_0 = 0}): since the range of Sigma is orthogonal to the constants and
     * {@code P0 = 1 1^T / N^2} projects onto them, {@code (Sigma + P0)^{-1} = Sigma^+ + P0}.
     */
    static double[] pseudoSolveWithoutMean(double[][] sigma, double[] b) {
        int size = b.length;
        double[][] shifted = new double[size][];
        double mean = 0;
        for (int i = 0; i < size; i++) {
            shifted[i] = sigma[i].clone();
            for (int j = 0; j < size; j++) {
                shifted[i][j] += 1.0 / size;
            }
            mean += b[i] / size;
        }
        double[] x = solve(shifted, b);
        for (int i = 0; i < size; i++) {
            x[i] -= mean;
        }
        return x;
    }

    static double[] toDouble(float[] x, int offset, int length) {
        double[] out = new double[length];
        for (int i = 0; i < length; i++) {
            out[i] = x[offset + i];
        }
        return out;
    }

    /** {@code ||actual - expected|| / ||expected||} over {@code expected.length} values of {@code actual} from {@code offset}. */
    static double relativeError(float[] actual, int offset, double[] expected) {
        double err = 0;
        double norm = 0;
        for (int i = 0; i < expected.length; i++) {
            double e = actual[offset + i] - expected[i];
            err += e * e;
            norm += expected[i] * expected[i];
        }
        return Math.sqrt(err / norm);
    }

    /** The prior covariance's per-mode variances {@code A(f)^2 / N^2 / std^2} written out from docs/BENCHMARK.md's A(f) = f^(-n/2). */
    static double[] specPrior(int n, double exponent, double std) {
        double[] p = new double[n * n];
        for (int u = 0; u < n; u++) {
            for (int w = 0; w < n; w++) {
                double fy = (double) HeatKernel.wavenumber(u, n) / n;
                double fx = (double) HeatKernel.wavenumber(w, n) / n;
                double f2 = fy * fy + fx * fx;
                p[u * n + w] = f2 > 0 ? Math.pow(f2, -exponent / 2) / ((double) n * n * std * std) : 0;
            }
        }
        return p;
    }
}
