package dev.smdp4j.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.nn.ScoreNetConfig;
import dev.smdp4j.train.SmdpModel;
import dev.smdp4j.util.GaussianNoise;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The score network's speed: the engine's float32 matrix-multiply rate (the practical peak), and
 * the network's forward and forward+backward time and achieved FLOP rate at several batch sizes,
 * with FLOPs counted from the architecture (backward counted as twice the forward).
 */
public final class NetworkBenchmark {
    private final ScoreNetConfig config;
    private final int n;
    private final int repeats;

    public NetworkBenchmark(ScoreNetConfig config, int n, int repeats) {
        this.config = config;
        this.n = n;
        this.repeats = repeats;
    }

    /** A measured rate: what, milliseconds per call, GFLOP/s. */
    public record Row(String name, double millis, double gflops) {
    }

    public List<Row> run(NDManager parent, int... batches) {
        List<Row> rows = new ArrayList<>();
        try (NDManager manager = parent.newSubManager()) {
            rows.add(matmulPeak(manager, 1024));
            DatasetSpec spec = new DatasetSpec(2, 1, n, 4, 1, 0.2, 32, 0.1, 0.01, 0);
            SmdpModel model = SmdpModel.create(manager, config, spec, new Normalisation(0, 1), 0.5, 1);
            double flops = config.flopsPerSample(n, SmdpModel.IN_CHANNELS);
            for (int b : batches) {
                NDArray x = new GaussianNoise(b).next(manager, new Shape(b, n, n));
                double fwd = time(() -> {
                    try (NDManager step = manager.newSubManager()) {
                        x.tempAttach(step);
                        model.network().output(x, 0.1);
                    }
                });
                rows.add(new Row("network forward, batch " + b, fwd * 1e3, flops * b / fwd / 1e9));
                double both = time(() -> {
                    try (NDManager step = manager.newSubManager()) {
                        x.tempAttach(step);
                        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                            gc.backward(model.network().output(x, 0.1).square().mean());
                        }
                    }
                });
                rows.add(new Row("network forward+backward, batch " + b, both * 1e3, 3 * flops * b / both / 1e9));
            }
        }
        return rows;
    }

    private Row matmulPeak(NDManager manager, int size) {
        NDArray a = new GaussianNoise(1).next(manager, new Shape(size, size));
        NDArray b = new GaussianNoise(2).next(manager, new Shape(size, size));
        double s = time(() -> {
            try (NDManager step = manager.newSubManager()) {
                a.tempAttach(step);
                a.matMul(b);
            }
        });
        return new Row("matmul " + size + "x" + size + " (practical peak)", s * 1e3, 2.0 * size * size * size / s / 1e9);
    }

    /** Median seconds per call over {@code repeats} calls after warm-up. */
    private double time(Runnable call) {
        for (int i = 0; i < 3; i++) {
            call.run();
        }
        double[] t = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            call.run();
            t[r] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(t);
        return t[repeats / 2];
    }
}
