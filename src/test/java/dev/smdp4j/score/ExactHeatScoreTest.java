package dev.smdp4j.score;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.smdp4j.EngineTest;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.util.GaussianNoise;
import org.junit.jupiter.api.Test;

/**
 * The exact score against {@code -Sigma(t)^{-1} x} with the real-space covariance of the discrete
 * forward process built by dense matrices (prior covariance, then {@code Sigma <- H Sigma H^T +
 * g^2 d I} per step), with no FFT.
 *
 * <p>Mode 0: the prior has {@code p_0 = 0} (every field has zero spatial mean), so only
 * {@code Sigma(0)} is singular; for {@code t > 0} the process noise makes every {@code Sigma(t)}
 * invertible. We keep the real prior rather than inventing a nonzero {@code p_0}, because that is
 * what the class computes, and check {@code t = 0} against the pseudo-inverse (the score's
 * multiplier there is 0 on mode 0), on x with nonzero mean so that the mode-0 handling is tested.
 */
class ExactHeatScoreTest extends EngineTest {
    private static final int N = 8;
    private static final DatasetSpec SPEC = DatasetSpec.heat(2, 1, N, 4, 0.7, 0.2, 4, 0.1, 0.01, 0);
    private static final Normalisation NORM = new Normalisation(0.1, 2.0);

    /** Sigma(t): the grid covariance at floor(t/d), then one partial step of length r = t - j d. */
    static double[][] covariance(DatasetSpec spec, Normalisation norm, double t) {
        int n = spec.gridSize();
        double d = spec.endTime() / spec.steps();
        double g2 = spec.diffusion() * spec.diffusion();
        double[][] sigma = RealSpace.stationaryCovariance(RealSpace.specPrior(n, spec.exponent(), norm.std()), n);
        double[][] h = RealSpace.heatMatrix(n, spec.alpha(), d);
        int j = (int) Math.floor(t / d + 1e-9);
        for (int i = 0; i < j; i++) {
            sigma = RealSpace.propagate(sigma, h, g2 * d);
        }
        double r = t - j * d;
        return r > 1e-12 ? RealSpace.propagate(sigma, RealSpace.heatMatrix(n, spec.alpha(), r), g2 * r) : sigma;
    }

    @Test
    void equalsMinusTheInverseRealSpaceCovarianceTimesXOnAndOffTheGrid() {
        double d = SPEC.endTime() / SPEC.steps();
        double[] times = {0, d, 2 * d, 0.37 * d, 2.5 * d, 3.9 * d, SPEC.endTime()};
        try (NDManager m = manager.newSubManager();
                ExactHeatScore score = new ExactHeatScore(m, SPEC, NORM)) {
            int batch = 3;
            NDArray x = new GaussianNoise(11).next(m, new Shape(batch, N, N)).add(0.5);
            float[] xs = x.toFloatArray();
            for (double t : times) {
                double[][] sigma = covariance(SPEC, NORM, t);
                float[] s = score.score(x, t).toFloatArray();
                for (int b = 0; b < batch; b++) {
                    double[] xb = RealSpace.toDouble(xs, b * N * N, N * N);
                    double[] solved = t == 0 ? RealSpace.pseudoSolveWithoutMean(sigma, xb) : RealSpace.solve(sigma, xb);
                    double[] expected = new double[solved.length];
                    for (int i = 0; i < solved.length; i++) {
                        expected[i] = -solved[i];
                    }
                    double err = RealSpace.relativeError(s, b * N * N, expected);
                    assertTrue(err < 1e-4, "t = " + t + ", field " + b + ": relative error " + err);
                }
            }
        }
    }

    @Test
    void varianceIsThatOfTheForwardRecursionAndCachedScoresAreStable() {
        try (NDManager m = manager.newSubManager();
                ExactHeatScore score = new ExactHeatScore(m, SPEC, NORM)) {
            double[][] forward = HeatModes.forwardVariances(SPEC, NORM);
            assertArrayEquals(forward[2], score.variance(2 * SPEC.endTime() / SPEC.steps()), 0);
            NDArray x = new GaussianNoise(2).next(m, new Shape(2, 3, N, N));
            float[] first = score.score(x, 0.07).toFloatArray();
            try (NDManager step = m.newSubManager()) {
                NDArray result = score.score(x, 0.07);
                assertEquals(x.getManager(), result.getManager());
                assertEquals(new Shape(2, 3, N, N), result.getShape());
            }
            // the cached multiplier outlives the scope in which it was first used
            assertArrayEquals(first, score.score(x, 0.07).toFloatArray(), 0);
        }
    }

    @Test
    void rejectsTimesOutsideTheProcessAndWrongGrids() {
        try (NDManager m = manager.newSubManager();
                ExactHeatScore score = new ExactHeatScore(m, SPEC, NORM)) {
            NDArray x = m.zeros(new Shape(1, N, N));
            assertThrows(IllegalArgumentException.class, () -> score.score(x, -0.01));
            assertThrows(IllegalArgumentException.class, () -> score.score(x, 0.21));
            assertThrows(IllegalArgumentException.class, () -> score.score(m.zeros(new Shape(1, 6, 6)), 0.1));
        }
    }
}
