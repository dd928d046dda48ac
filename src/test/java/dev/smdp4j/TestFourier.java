package dev.smdp4j;

/** Direct (O(N^2) per mode) Fourier sums used by tests as an independent reference. */
public final class TestFourier {
    private TestFourier() {}

    /** {@code |sum_{j,l} x[j][l] exp(-2 pi i (ky j + kx l) / n)|^2} of the field at {@code offset}. */
    public static double modePower(float[] x, int offset, int n, int kx, int ky) {
        double[] c = mode(x, offset, n, kx, ky);
        return c[0] * c[0] + c[1] * c[1];
    }

    /** The unnormalised DFT coefficient {@code {Re, Im}} of mode (kx, ky) of the field at {@code offset}. */
    public static double[] mode(float[] x, int offset, int n, int kx, int ky) {
        double re = 0;
        double im = 0;
        for (int j = 0; j < n; j++) {
            for (int l = 0; l < n; l++) {
                double angle = -2 * Math.PI * (ky * (double) j + kx * (double) l) / n;
                re += x[offset + j * n + l] * Math.cos(angle);
                im += x[offset + j * n + l] * Math.sin(angle);
            }
        }
        return new double[] {re, im};
    }
}
