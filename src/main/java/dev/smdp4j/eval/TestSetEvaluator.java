package dev.smdp4j.eval;

import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.physics.HeatKernel;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Validates a test set and its predictions and computes {@link Evaluation} (behind
 * {@link Metrics#evaluate}). Samples are processed in parallel, each by one thread, and the
 * per-sample results are reduced in index order, so the output does not depend on scheduling.
 */
final class TestSetEvaluator {
    private final HostArray truth;
    private final HostArray pred;
    private final double mean;
    private final double std;
    private final double alpha;
    private final double endTime;
    private final int firstRing;
    private final int lastRing;
    private final int samples;
    private final int k;
    private final int n;

    TestSetEvaluator(
            HostArray truth,
            HostArray pred,
            double mean,
            double std,
            double alpha,
            double endTime,
            int firstRing,
            int lastRing) {
        this.truth = truth;
        this.pred = pred;
        this.mean = mean;
        this.std = std;
        this.alpha = alpha;
        this.endTime = endTime;
        this.firstRing = firstRing;
        this.lastRing = lastRing;
        checkParameters();
        checkShapes();
        this.samples = truth.dim(0);
        this.n = truth.dim(1);
        this.k = pred.rank() == 4 ? pred.dim(1) : 1;
        Metrics.checkRings(firstRing, lastRing, RadialSpectrum.maxRing(n));
        checkFinite("truth", truth);
        checkFinite("pred", pred);
    }

    /** Per test sample: K-averaged metrics, metrics of the K-mean, and spectra for the averages. */
    private record SampleResult(
            double mse,
            double spectralError,
            double meanMse,
            double meanSpectralError,
            double[] truthSpectrum,
            double[] predSpectrumSum) {}

    Evaluation run() {
        double[][] heatT = HeatKernel.circulant(n, alpha, endTime);
        // toArray keeps the encounter order of the indices, whichever thread computed each entry.
        SampleResult[] results = IntStream.range(0, samples)
                .parallel()
                .mapToObj(i -> sample(i, heatT))
                .toArray(SampleResult[]::new);

        double[] mse = new double[samples];
        double[] spectral = new double[samples];
        double[] meanMse = new double[samples];
        double[] meanSpectral = new double[samples];
        int rings = RadialSpectrum.maxRing(n) + 1;
        double[] truthSpectrum = new double[rings];
        double[] predSpectrum = new double[rings];
        for (int i = 0; i < samples; i++) {
            SampleResult r = results[i];
            mse[i] = r.mse;
            spectral[i] = r.spectralError;
            meanMse[i] = r.meanMse;
            meanSpectral[i] = r.meanSpectralError;
            for (int q = 0; q < rings; q++) {
                truthSpectrum[q] += r.truthSpectrum[q];
                predSpectrum[q] += r.predSpectrumSum[q];
            }
        }
        for (int q = 0; q < rings; q++) {
            truthSpectrum[q] /= samples;
            predSpectrum[q] /= (double) samples * k;
        }
        return new Evaluation(
                samples,
                k,
                n,
                alpha,
                endTime,
                firstRing,
                lastRing,
                Evaluation.Summary.of(mse),
                Evaluation.Summary.of(spectral),
                Evaluation.Summary.of(meanMse),
                Evaluation.Summary.of(meanSpectral),
                mse,
                spectral,
                truthSpectrum,
                predSpectrum);
    }

    private SampleResult sample(int i, double[][] heatT) {
        int cells = n * n;
        double[] t = normalised(truth.data(), i * cells, cells);
        double[] tSpectrum = RadialSpectrum.of(t, 0, n);
        double[] predMean = new double[cells];
        double[] predSpectrumSum = new double[tSpectrum.length];
        double mseSum = 0;
        double spectralSum = 0;
        for (int j = 0; j < k; j++) {
            double[] p = normalised(pred.data(), (i * k + j) * cells, cells);
            double[] pSpectrum = RadialSpectrum.of(p, 0, n);
            mseSum += Metrics.reconstructionMse(p, 0, t, 0, n, heatT);
            spectralSum += Metrics.spectralError(pSpectrum, tSpectrum, firstRing, lastRing);
            for (int c = 0; c < cells; c++) {
                predMean[c] += p[c];
            }
            for (int q = 0; q < pSpectrum.length; q++) {
                predSpectrumSum[q] += pSpectrum[q];
            }
        }
        for (int c = 0; c < cells; c++) {
            predMean[c] /= k;
        }
        double meanMse = Metrics.reconstructionMse(predMean, 0, t, 0, n, heatT);
        double meanSpectral = Metrics.spectralError(RadialSpectrum.of(predMean, 0, n), tSpectrum, firstRing, lastRing);
        return new SampleResult(mseSum / k, spectralSum / k, meanMse, meanSpectral, tSpectrum, predSpectrumSum);
    }

    /** One field in normalised units, in double so that the normalisation adds no float32 rounding. */
    private double[] normalised(float[] data, int offset, int cells) {
        double[] out = new double[cells];
        for (int c = 0; c < cells; c++) {
            out[c] = (data[offset + c] - mean) / std;
        }
        return out;
    }

    private void checkParameters() {
        if (!Double.isFinite(mean)) {
            throw new InvalidInputException("normalisation mean must be finite, got " + mean);
        }
        if (!(std > 0) || !Double.isFinite(std)) {
            throw new InvalidInputException("normalisation std must be positive and finite, got " + std);
        }
        if (!(alpha >= 0) || !Double.isFinite(alpha)) {
            throw new InvalidInputException("alpha must be non-negative and finite, got " + alpha);
        }
        if (!(endTime >= 0) || !Double.isFinite(endTime)) {
            throw new InvalidInputException("T must be non-negative and finite, got " + endTime);
        }
    }

    private void checkShapes() {
        if (truth.rank() != 3 || truth.dim(1) != truth.dim(2) || truth.dim(1) < 1) {
            throw new InvalidInputException(
                    "truth must hold square fields of shape [n, N, N], got " + truth.shapeString());
        }
        if (truth.dim(0) < 1) {
            throw new InvalidInputException("truth holds no test samples (shape " + truth.shapeString() + ")");
        }
        int rank = pred.rank();
        if (rank != 3 && rank != 4) {
            throw new InvalidInputException(
                    "pred must have shape [n, N, N] or [n, K, N, N], got " + pred.shapeString());
        }
        if (pred.dim(rank - 1) != pred.dim(rank - 2)) {
            throw new InvalidInputException("pred fields must be square, got shape " + pred.shapeString());
        }
        if (pred.dim(rank - 1) != truth.dim(1)) {
            throw new InvalidInputException("grid size N differs: truth " + truth.shapeString() + " has N = "
                    + truth.dim(1) + ", pred " + pred.shapeString() + " has N = " + pred.dim(rank - 1));
        }
        if (pred.dim(0) != truth.dim(0)) {
            throw new InvalidInputException("number of test samples n differs: truth " + truth.shapeString()
                    + " has n = " + truth.dim(0) + ", pred " + pred.shapeString() + " has n = " + pred.dim(0));
        }
        if (rank == 4 && pred.dim(1) < 1) {
            throw new InvalidInputException(
                    "pred holds no predictions per sample (K = 0, shape " + pred.shapeString() + ")");
        }
    }

    private static void checkFinite(String name, HostArray array) {
        int flat = array.firstNonFinite();
        if (flat < 0) {
            return;
        }
        int[] shape = array.shape();
        int[] index = new int[shape.length];
        int rest = flat;
        for (int axis = shape.length - 1; axis >= 0; axis--) {
            index[axis] = rest % shape[axis];
            rest /= shape[axis];
        }
        throw new InvalidInputException(name + " has a non-finite value (" + array.data()[flat] + ") at index "
                + Arrays.toString(index) + " of shape " + array.shapeString());
    }
}
