package dev.smdp4j.score;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.smdp4j.EngineTest;
import dev.smdp4j.TestFourier;
import dev.smdp4j.data.Dataset;
import dev.smdp4j.data.DatasetGenerator;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.eval.Evaluation;
import dev.smdp4j.eval.Metrics;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.physics.GaussianRandomField;
import dev.smdp4j.physics.HeatEquation;
import dev.smdp4j.physics.HeatKernel;
import dev.smdp4j.util.GaussianNoise;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The exact posterior against the real-space Gaussian conditioning formula, its samples'
 * statistics, and its metrics on a generated test set.
 */
class ExactPosteriorTest extends EngineTest {
    private static final int N = 8;
    private static final Normalisation NORM = new Normalisation(0.0, 2.0);

    private static DatasetSpec spec(double alpha, double observationNoise) {
        return DatasetSpec.heat(2, 1, N, 4, alpha, 0.2, 4, 0.1, observationNoise, 0);
    }

    /** {@code count} observations {@code H_T(x0) + s e} of prior fields, in the units of {@link #NORM}. */
    private static NDArray observations(NDManager m, DatasetSpec spec, int count, long seed) {
        HostArray x0 = NORM.normalise(new GaussianRandomField(spec.exponent()).sample(m, count, N, seed));
        try (HeatEquation heat = new HeatEquation(m, spec.alpha())) {
            NDArray y = heat.advance(m.create(x0.data(), new Shape(count, N, N)), spec.endTime());
            return y.add(new GaussianNoise(seed + 1).next(m, y.getShape()).mul(spec.observationNoise()));
        }
    }

    @Test
    void meanEqualsTheRealSpaceConditioningFormula() {
        for (double s : new double[] {0.01, 0.3}) {
            DatasetSpec spec = spec(1.0, s);
            // Sigma_p H^T (H Sigma_p H^T + s^2 I)^{-1} y, with H = H_T symmetric.
            double[][] prior = RealSpace.stationaryCovariance(RealSpace.specPrior(N, spec.exponent(), NORM.std()), N);
            double[][] h = RealSpace.heatMatrix(N, spec.alpha(), spec.endTime());
            double[][] gain = RealSpace.mul(prior, RealSpace.transpose(h));
            double[][] evidence = RealSpace.propagate(prior, h, s * s);
            try (NDManager m = manager.newSubManager();
                    ExactPosterior posterior = new ExactPosterior(m, spec, NORM)) {
                int count = 3;
                NDArray y = observations(m, spec, count, 21);
                float[] ys = y.toFloatArray();
                float[] mean = posterior.mean(y).toFloatArray();
                for (int b = 0; b < count; b++) {
                    double[] expected =
                            RealSpace.mul(gain, RealSpace.solve(evidence, RealSpace.toDouble(ys, b * N * N, N * N)));
                    double err = RealSpace.relativeError(mean, b * N * N, expected);
                    assertTrue(err < 1e-4, "s = " + s + ", field " + b + ": relative error " + err);
                }
            }
        }
    }

    @Test
    void noiseFreeObservationsAreInvertedExactly() {
        // alpha T small enough that 1/c stays moderate (<= e^3.2) on an 8 x 8 grid
        DatasetSpec spec = spec(0.5, 0);
        try (NDManager m = manager.newSubManager();
                ExactPosterior posterior = new ExactPosterior(m, spec, NORM)) {
            HostArray x0 = NORM.normalise(new GaussianRandomField(4).sample(m, 2, N, 3));
            NDArray y = observations(m, spec, 2, 3);
            float[] mean = posterior.mean(y).toFloatArray();
            double err = RealSpace.relativeError(mean, 0, RealSpace.toDouble(x0.data(), 0, 2 * N * N));
            assertTrue(err < 1e-4, "relative error " + err);
            assertTrue(Arrays.stream(posterior.posteriorVariance()).allMatch(v -> v == 0));
        }
        // At the paper's N = 32, alpha T = 0.2 the highest modes decay by e^-102: not invertible in float32.
        DatasetSpec paper = DatasetSpec.paper();
        DatasetSpec noiseFree = DatasetSpec.heat(2, 1, 32, 4, paper.alpha(), paper.endTime(), 4, 0.1, 0, 0);
        assertThrows(IllegalArgumentException.class, () -> new ExactPosterior(manager, noiseFree, NORM));
    }

    @Test
    void posteriorVarianceFollowsTheClosedFormPerMode() {
        DatasetSpec spec = spec(1.0, 0.01);
        try (NDManager m = manager.newSubManager();
                ExactPosterior posterior = new ExactPosterior(m, spec, NORM)) {
            double[] var = posterior.posteriorVariance();
            double[] p = RealSpace.specPrior(N, 4, NORM.std());
            assertEquals(0, var[0]);
            // mode (1, 2): |k|^2 = 5
            double c = Math.exp(-5 * 0.2);
            double pk = p[N + 2];
            assertEquals(pk * 1e-4 / (c * c * pk + 1e-4), var[N + 2], 1e-15);
        }
    }

    @Test
    void samplesHaveThePosteriorMeanAndPerModeVariance() {
        DatasetSpec spec = spec(1.0, 0.01);
        int batch = 2;
        int k = 2000;
        try (NDManager m = manager.newSubManager();
                ExactPosterior posterior = new ExactPosterior(m, spec, NORM)) {
            NDArray y = observations(m, spec, batch, 8);
            NDArray samples = posterior.sample(y, k, new GaussianNoise(9));
            assertEquals(new Shape(batch, k, N, N), samples.getShape());
            assertEquals(y.getManager(), samples.getManager());
            float[] residual = samples.sub(posterior.mean(y).expandDims(1)).toFloatArray();
            double[] var = posterior.posteriorVariance();
            double maxVar = Arrays.stream(var).max().orElseThrow();
            for (int u = 0; u < N; u++) {
                for (int v = 0; v < N; v++) {
                    double power = 0;
                    for (int i = 0; i < batch * k; i++) {
                        power += TestFourier.modePower(
                                residual, i * N * N, N, HeatKernel.wavenumber(v, N), HeatKernel.wavenumber(u, N));
                    }
                    double estimate = power / ((double) N * N * batch * k);
                    double expected = var[u * N + v];
                    if (expected == 0) {
                        assertEquals(0, estimate, 1e-9 * maxVar, "mode 0 must carry no posterior noise");
                    } else {
                        // 4000 draws: relative sd 2.2% (complex modes) to 3.2% (real modes); 15% is > 4.5 sd
                        assertEquals(expected, estimate, 0.15 * expected, "mode (" + u + ", " + v + ")");
                    }
                }
            }
            // the sample average converges to the mean: per-pixel sd of the average is sqrt(sum var / N^2 / k)
            double pixelSd = Math.sqrt(Arrays.stream(var).sum() / (N * N) / k);
            float[] average = samples.mean(new int[] {1}).sub(posterior.mean(y)).toFloatArray();
            for (float a : average) {
                assertEquals(0, a, 5 * pixelSd);
            }
        }
    }

    @Test
    void sameSeedGivesTheSameSamples() {
        DatasetSpec spec = spec(1.0, 0.01);
        try (NDManager m = manager.newSubManager();
                ExactPosterior posterior = new ExactPosterior(m, spec, NORM)) {
            NDArray y = observations(m, spec, 2, 4);
            float[] a = posterior.sample(y, 3, new GaussianNoise(77)).toFloatArray();
            float[] b = posterior.sample(y, 3, new GaussianNoise(77)).toFloatArray();
            float[] c = posterior.sample(y, 3, new GaussianNoise(78)).toFloatArray();
            assertArrayEquals(a, b, 0);
            assertFalse(Arrays.equals(a, c));
            assertThrows(IllegalArgumentException.class, () -> posterior.sample(y, 0, new GaussianNoise(1)));
            assertThrows(
                    IllegalArgumentException.class, () -> posterior.sample(y.expandDims(0), 1, new GaussianNoise(1)));
        }
    }

    @Test
    void onAGeneratedTestSetTheMeanBeatsObservationAndSamplesAndSamplesMatchTheSpectrum() {
        DatasetSpec spec = DatasetSpec.heat(256, 64, 16, 4, 1, 0.2, 32, 0.1, 0.01, 5);
        Dataset data = DatasetGenerator.generate(manager, spec, false);
        Normalisation norm = data.normalisation();
        int count = spec.testSize();
        int n = spec.gridSize();
        int k = 4;
        HostArray mean;
        HostArray samples;
        try (NDManager m = manager.newSubManager();
                ExactPosterior posterior = new ExactPosterior(m, spec, norm)) {
            NDArray y = m.create(norm.normalise(data.testY()).data(), new Shape(count, n, n));
            mean = new HostArray(posterior.mean(y).toFloatArray(), count, n, n);
            samples =
                    new HostArray(posterior.sample(y, k, new GaussianNoise(31)).toFloatArray(), count, k, n, n);
        }
        Evaluation ofMean = evaluate(data, norm.denormalise(mean));
        Evaluation ofY = evaluate(data, data.testY());
        Evaluation ofSamples = evaluate(data, norm.denormalise(samples));
        double samplesSpectrum = Metrics.spectralError(
                ofSamples.predictionRadialSpectrum(),
                ofSamples.truthRadialSpectrum(),
                ofSamples.firstRing(),
                ofSamples.lastRing());
        System.out.printf(
                "exact posterior on %d test fields, N = %d: MSE mean %.4g, sample %.4g, y %.4g;"
                        + " spectral error mean %.3f, sample %.3f, y %.3f; spectral error of the mean"
                        + " radial spectrum of the samples %.4f%n",
                count,
                n,
                ofMean.mse().mean(),
                ofSamples.mse().mean(),
                ofY.mse().mean(),
                ofMean.spectralError().mean(),
                ofSamples.spectralError().mean(),
                ofY.spectralError().mean(),
                samplesSpectrum);
        assertTrue(ofMean.mse().mean() < ofY.mse().mean(), "posterior mean must beat the observation itself");
        assertTrue(ofMean.mse().mean() < ofSamples.mse().mean(), "posterior mean must beat a single sample");
        assertTrue(samplesSpectrum < 0.2, "samples' radial spectrum is off by " + samplesSpectrum);
    }

    /** The benchmark's metrics of predictions in physical units, as files hold them. */
    private static Evaluation evaluate(Dataset data, HostArray physicalPrediction) {
        Normalisation norm = data.normalisation();
        return Metrics.evaluate(
                data.testX0(),
                physicalPrediction,
                norm.mean(),
                norm.std(),
                data.spec().alpha(),
                data.spec().endTime());
    }
}
