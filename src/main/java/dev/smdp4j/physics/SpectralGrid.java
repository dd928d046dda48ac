package dev.smdp4j.physics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.smdp4j.util.EngineArrays;
import dev.smdp4j.util.Scalars;

/**
 * The spectral operators of {@link NavierStokes2d} on one grid size: the complex multipliers that
 * give velocity and vorticity gradients from the half spectrum, the linear symbol, the 2/3-rule mask
 * and the forcing's spectrum, as engine constants, with the advection term they form.
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
 */
final class SpectralGrid {
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

    private SpectralGrid(NDArray derivatives, NDArray velocity, NDArray linear, NDArray negMask, NDArray forcingHat) {
        this.derivatives = derivatives;
        this.velocity = velocity;
        this.linear = linear;
        this.negMask = negMask;
        this.forcingHat = forcingHat;
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
    static double[] linearSymbol(int n, double nu, double alpha) {
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

    static double[] maskSymbol(int n, double scale) {
        int h = n / 2 + 1;
        double[] mask = new double[n * h];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < h; c++) {
                mask[r * h + c] = kept(rowWavenumber(r, n), c, n) ? scale : 0;
            }
        }
        return mask;
    }

    /**
     * The multipliers of the {@code n x n} grid for viscosity {@code nu} and drag {@code alpha}, with
     * the forcing's half spectrum {@code forcingHatRe, forcingHatIm} ({@code [n][n/2 + 1]}), or null
     * for none, as constants in {@code manager}.
     */
    static SpectralGrid build(
            int n, double nu, double alpha, double[] forcingHatRe, double[] forcingHatIm, NDManager manager) {
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
        NDArray derivatives =
                complexConstant(manager, concat(zero, zero, zero, zero), concat(u, v, dx, dy), new Shape(4, n, h));
        NDArray velocity = complexConstant(manager, concat(zero, zero), concat(u, v), new Shape(2, n, h));
        NDArray forcingHat =
                forcingHatRe == null ? null : complexConstant(manager, forcingHatRe, forcingHatIm, new Shape(n, h));
        NDArray linear = realConstant(manager, linearSymbol(n, nu, alpha), new Shape(n, h));
        return new SpectralGrid(
                derivatives, velocity, linear, realConstant(manager, maskSymbol(n, -1), new Shape(n, h)), forcingHat);
    }

    /** The raw advection spectrum {@code (u w_x + v w_y)_hat} of a half spectrum {@code [..., N, N/2 + 1]}: 9 engine calls. */
    NDArray advectionSpectrum(NDArray wHat, int n) {
        int rank = wHat.getShape().dimension();
        // [..., 4, N, N]: u, v, w_x, w_y
        NDArray fields = wHat.expandDims(rank - 2).mul(derivatives).ifft(n, -2).irfft(n, -1);
        NDList halves = fields.split(2, rank - 2); // (u, v) and (w_x, w_y): one call, cheaper than two get()s
        return halves.get(0)
                .mul(halves.get(1))
                .sum(new int[] {rank - 2})
                .rfft(n, -1)
                .fft(n, -2);
    }

    /** Real fields from half spectra; the trailing mul(1) hands irfft's backward a dense gradient. */
    static NDArray toField(NDArray hat, int n) {
        return Scalars.mul(hat.ifft(n, -2).irfft(n, -1), 1);
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
    static NDArray realConstant(NDManager manager, double[] values, Shape shape) {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        try (NDArray real = EngineArrays.of(manager, f, shape)) {
            return real.toType(DataType.COMPLEX64, true);
        }
    }

    /** A complex64 engine constant from real and imaginary parts (a constant: complex() has no autograd). */
    static NDArray complexConstant(NDManager manager, double[] re, double[] im, Shape shape) {
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
}
