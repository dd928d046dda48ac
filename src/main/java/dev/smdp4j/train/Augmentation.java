package dev.smdp4j.train;

/**
 * The eight symmetries of the square (flips and 90-degree rotations), under which the periodic
 * heat equation and the isotropic prior are invariant, applied to host fields.
 */
final class Augmentation {
    private Augmentation() {}

    /** Copies field {@code src} ({@code n x n} at {@code from}) into {@code dst} at {@code to} under symmetry {@code k} in 0..7. */
    static void apply(int k, float[] src, int from, float[] dst, int to, int n) {
        for (int j = 0; j < n; j++) {
            for (int l = 0; l < n; l++) {
                int r = j;
                int c = l;
                if ((k & 1) != 0) { // transpose
                    int tmp = r;
                    r = c;
                    c = tmp;
                }
                if ((k & 2) != 0) { // flip rows
                    r = n - 1 - r;
                }
                if ((k & 4) != 0) { // flip columns
                    c = n - 1 - c;
                }
                dst[to + j * n + l] = src[from + r * n + c];
            }
        }
    }
}
