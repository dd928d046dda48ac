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
import dev.smdp4j.physics.HeatEquation;
import dev.smdp4j.util.GaussianNoise;
import org.junit.jupiter.api.Test;

/**
 * The optimal network output: plugged into the training step it must give the Gaussian
 * conditional mean {@code E[x_{m-1} | x_m] = Sigma_{m-1,m} Sigma_m^{-1} x_m}, built from the joint
 * covariance of consecutive states in real space ({@code Sigma_{m-1,m} = Sigma_{m-1} H_d^T} with
 * {@code H_d = A kron A}).
 */
class ExactNetTest extends EngineTest {
    private static final int N = 8;
    private static final DatasetSpec SPEC = DatasetSpec.heat(2, 1, N, 4, 0.7, 0.2, 4, 0.1, 0.01, 0);
    private static final Normalisation NORM = new Normalisation(0.0, 2.0);

    @Test
    void trainingStepWithTheExactNetIsTheConditionalMean() {
        int steps = SPEC.steps();
        double d = SPEC.endTime() / steps;
        double g2 = SPEC.diffusion() * SPEC.diffusion();
        double[][] h = RealSpace.heatMatrix(N, SPEC.alpha(), d);
        double[][][] sigma = new double[steps + 1][][];
        sigma[0] = RealSpace.stationaryCovariance(RealSpace.specPrior(N, SPEC.exponent(), NORM.std()), N);
        for (int i = 0; i < steps; i++) {
            sigma[i + 1] = RealSpace.propagate(sigma[i], h, g2 * d);
        }
        try (NDManager m = manager.newSubManager();
                ExactNet net = new ExactNet(m, SPEC, NORM);
                HeatEquation heat = new HeatEquation(m, SPEC.alpha())) {
            int batch = 2;
            NDArray x = new GaussianNoise(5).next(m, new Shape(batch, N, N)).mul(0.3);
            float[] xs = x.toFloatArray();
            for (int step = 1; step <= steps; step++) {
                double t = step * d;
                float[] pred = x.sub(heat.increment(x, d))
                        .add(net.output(x, t).mul(d * 0.5 * g2))
                        .toFloatArray();
                double[][] cross = RealSpace.mul(sigma[step - 1], RealSpace.transpose(h));
                for (int b = 0; b < batch; b++) {
                    double[] expected = RealSpace.mul(
                            cross, RealSpace.solve(sigma[step], RealSpace.toDouble(xs, b * N * N, N * N)));
                    double err = RealSpace.relativeError(pred, b * N * N, expected);
                    assertTrue(err < 1e-4, "m = " + step + ", field " + b + ": relative error " + err);
                }
            }
        }
    }

    @Test
    void offGridTimesUseTheNearestGridStepClampedToOneToM() {
        double d = SPEC.endTime() / SPEC.steps();
        try (NDManager m = manager.newSubManager();
                ExactNet net = new ExactNet(m, SPEC, NORM)) {
            assertEquals(1, net.gridIndex(0));
            assertEquals(1, net.gridIndex(0.4 * d));
            assertEquals(2, net.gridIndex(1.6 * d));
            assertEquals(2, net.gridIndex(2.4 * d));
            assertEquals(SPEC.steps(), net.gridIndex(SPEC.endTime()));
            assertEquals(SPEC.steps(), net.gridIndex(10));
            NDArray x = new GaussianNoise(6).next(m, new Shape(1, N, N));
            assertArrayEquals(
                    net.output(x, 2 * d).toFloatArray(), net.output(x, 2.3 * d).toFloatArray(), 0);
            assertThrows(IllegalArgumentException.class, () -> net.gridIndex(Double.NaN));
        }
    }

    @Test
    void withTheTweedieFactorItIsAScoreModelAndNeedsDiffusion() {
        try (NDManager m = manager.newSubManager();
                ExactNet net = new ExactNet(m, SPEC, NORM)) {
            ScaledNetworkScore score = new ScaledNetworkScore(net, ScaledNetworkScore.TWEEDIE_FACTOR);
            NDArray x = new GaussianNoise(7).next(m, new Shape(2, N, N));
            assertArrayEquals(
                    net.output(x, 0.1).mul(0.5).toFloatArray(),
                    score.score(x, 0.1).toFloatArray(),
                    0);
            assertEquals("exact-net x 0.5", score.describe());
        }
        DatasetSpec noDiffusion = DatasetSpec.heat(2, 1, N, 4, 0.7, 0.2, 4, 0, 0.01, 0);
        assertThrows(IllegalArgumentException.class, () -> new ExactNet(manager, noDiffusion, NORM));
    }
}
