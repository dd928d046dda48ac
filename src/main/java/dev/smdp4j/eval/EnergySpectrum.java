package dev.smdp4j.eval;

import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import java.util.Arrays;

/**
 * The radially binned kinetic energy spectrum of 2-D vorticity fields, and the spectrum error of
 * the Navier-Stokes benchmark (docs/BENCHMARK.md, "2-D Navier-Stokes"), on the host in double
 * precision.
 *
 * <p>On the periodic box {@code [0, 2 pi)^2} the velocity of a vorticity mode {@code w_k} has
 * {@code |u_k|^2 = |w_k|^2 / |k|^2}, so the energy in ring {@code r} is
 * {@code E(r) = sum over the cells of ring r of |FFT2(w)_k|^2 / |k|^2} (rings as in
 * {@link RadialSpectrum#ringOf}, the mean mode {@code k = 0} left out; unnormalised DFT, whose scale
 * cancels in the error). The spectrum error of an estimate is the mean over rings
 * {@code 1..floor(N/3)} (the modes the solver's 2/3 rule keeps) of
 * {@code |ln E_estimate(r) - ln E_truth(r)|}, averaged over the fields, each energy floored at
 * {@value #RELATIVE_FLOOR} of the true field's total.
 */
public final class EnergySpectrum {
    /**
     * Floor of the energies inside the logarithm, relative to the true field's total energy: a ring
     * without energy counts as far off (about 23 per ring), not infinitely, and rings that both fields
     * leave empty compare their round-off no more.
     */
    static final double RELATIVE_FLOOR = 1e-10;

    private EnergySpectrum() {}

    /** {@code E(r)} for {@code r = 0..RadialSpectrum.maxRing(n)} ({@code E(0) = 0}) of one {@code n x n} field. */
    public static double[] of(float[] field, int offset, int n) {
        double[] power = RadialSpectrum.powerDft(RadialSpectrum.asDoubles(field, offset, n), 0, n);
        double[] energy = new double[RadialSpectrum.maxRing(n) + 1];
        for (int u = 0; u < n; u++) {
            for (int v = 0; v < n; v++) {
                int ku = Math.floorMod(u + n / 2, n) - n / 2;
                int kv = Math.floorMod(v + n / 2, n) - n / 2;
                int k2 = ku * ku + kv * kv;
                if (k2 > 0) {
                    energy[RadialSpectrum.ringOf(u, v, n)] += power[u * n + v] / k2;
                }
            }
        }
        return energy;
    }

    /** The last ring the error compares: {@code floor(n / 3)}. */
    public static int lastRing(int n) {
        return n / 3;
    }

    /**
     * The spectrum error of {@code estimates} against {@code truth}, both {@code [count, N, N]}: the
     * mean over fields of the mean over rings {@code 1..lastRing(N)} of the absolute log ratio.
     */
    public static double logError(HostArray truth, HostArray estimates) {
        int[] shape = truth.shape();
        if (shape.length != 3 || shape[1] != shape[2] || !Arrays.equals(shape, estimates.shape())) {
            throw new InvalidInputException("the energy spectrum needs fields [n, N, N] of equal shape, got "
                    + Arrays.toString(shape) + " and " + Arrays.toString(estimates.shape()));
        }
        int n = shape[1];
        int rings = lastRing(n);
        double total = 0;
        for (int i = 0; i < shape[0]; i++) {
            double[] t = of(truth.data(), i * n * n, n);
            double[] e = of(estimates.data(), i * n * n, n);
            double floor = Math.max(RELATIVE_FLOOR * Arrays.stream(t).sum(), Double.MIN_NORMAL);
            double sum = 0;
            for (int r = 1; r <= rings; r++) {
                sum += Math.abs(Math.log(Math.max(e[r], floor)) - Math.log(Math.max(t[r], floor)));
            }
            total += sum / rings;
        }
        return total / shape[0];
    }
}
