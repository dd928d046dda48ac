package dev.smdp4j.nn;

import java.util.ArrayList;
import java.util.List;

/**
 * The real 2-D discrete Fourier transform of an {@code N x N} field restricted to a few modes of
 * its half spectrum, and its inverse in the convention of {@code irfft}, as dense real matrices: for
 * a handful of modes two matrix products replace the forward and inverse FFTs and the work around
 * them (complex views, zero-filled spectra), in far fewer engine calls (docs/BENCHMARKS.md, "Network
 * speed against eager PyTorch").
 *
 * <p>For modes {@code (u_k, v_k)}, {@code k < K}, with {@code theta_k(r, c) = 2 pi (u_k r + v_k c) / N}:
 * <ul>
 *   <li>{@link #analysis()} {@code [N^2, 2K]}: column {@code k} holds {@code cos theta_k}, column
 *       {@code K + k} holds {@code -sin theta_k}, so that a row-major field times it gives the real and
 *       imaginary parts of {@code sum_{r,c} x[r, c] exp(-i theta_k(r, c))};
 *   <li>{@link #synthesis()} {@code [2K, N^2]}: row {@code k} holds {@code w_k cos theta_k / N^2}, row
 *       {@code K + k} holds {@code -w_k sin theta_k / N^2}, with {@code w_k = 1} in column
 *       {@code v = 0} and 2 elsewhere: spectra {@code [re, im]} times it give
 *       {@code N^-2 sum_k w_k Re(z_k exp(i theta_k))}, which is what an inverse FFT along the rows
 *       followed by {@code irfft} along the columns makes of a half spectrum that is zero outside
 *       the modes (irfft uses the real part of column 0 and supplies the conjugate partners of the
 *       others).
 * </ul>
 */
final class ModeBasis {
    private final int n;
    private final int[] rows;
    private final int[] cols;

    private ModeBasis(int n, List<int[]> modes) {
        this.n = n;
        this.rows = modes.stream().mapToInt(m -> m[0]).toArray();
        this.cols = modes.stream().mapToInt(m -> m[1]).toArray();
    }

    /**
     * The modes an FNO layer with {@code modes} modes per axis keeps, in its weights' order: index
     * {@code k = j * modes + v} is FFT row {@code j} for {@code j < modes} and row
     * {@code N - 2 modes + j} otherwise, column {@code v < modes}.
     */
    static ModeBasis kept(int n, int modes) {
        List<int[]> list = new ArrayList<>();
        for (int j = 0; j < 2 * modes; j++) {
            for (int v = 0; v < modes; v++) {
                list.add(new int[] {j < modes ? j : n - 2 * modes + j, v});
            }
        }
        return new ModeBasis(n, list);
    }

    /**
     * {@link #kept} plus row {@code +modes} of column 0, the conjugate partner of the kept row
     * {@code -modes}, unless it is kept already ({@code N = 2 modes}).
     */
    static ModeBasis keptAndPartner(int n, int modes) {
        ModeBasis kept = kept(n, modes);
        List<int[]> list = new ArrayList<>();
        for (int k = 0; k < kept.size(); k++) {
            list.add(new int[] {kept.rows[k], kept.cols[k]});
        }
        if (2 * modes < n) {
            list.add(new int[] {modes, 0});
        }
        return new ModeBasis(n, list);
    }

    /** The number of modes of {@link #keptAndPartner}, without building it. */
    static int keptAndPartnerSize(int n, int modes) {
        return 2 * modes * modes + (2 * modes < n ? 1 : 0);
    }

    /** The number of modes {@code K}. */
    int size() {
        return rows.length;
    }

    /** {@code [N^2, 2K]}, row-major. */
    float[] analysis() {
        int k2 = 2 * size();
        float[] a = new float[n * n * k2];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) {
                int row = (r * n + c) * k2;
                for (int k = 0; k < size(); k++) {
                    double theta = angle(k, r, c);
                    a[row + k] = (float) Math.cos(theta);
                    a[row + size() + k] = (float) -Math.sin(theta);
                }
            }
        }
        return a;
    }

    /** {@code [2K, N^2]}, row-major. */
    float[] synthesis() {
        int cells = n * n;
        float[] s = new float[2 * size() * cells];
        for (int k = 0; k < size(); k++) {
            double w = (cols[k] == 0 ? 1.0 : 2.0) / cells;
            for (int r = 0; r < n; r++) {
                for (int c = 0; c < n; c++) {
                    double theta = angle(k, r, c);
                    s[k * cells + r * n + c] = (float) (w * Math.cos(theta));
                    s[(size() + k) * cells + r * n + c] = (float) (-w * Math.sin(theta));
                }
            }
        }
        return s;
    }

    /** {@code 2 pi (u r + v c) / N}, reduced modulo N first so that large products stay exact. */
    private double angle(int k, int r, int c) {
        long phase = Math.floorMod((long) rows[k] * r + (long) cols[k] * c, (long) n);
        return 2 * Math.PI * phase / n;
    }
}
