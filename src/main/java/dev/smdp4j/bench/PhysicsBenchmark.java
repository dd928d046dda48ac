package dev.smdp4j.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.smdp4j.physics.HeatEquation;
import dev.smdp4j.physics.PhysicsModel;
import dev.smdp4j.util.GaussianNoise;
import dev.smdp4j.util.Scalars;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Times the heat step on a batch of fields, forward and forward+backward, for both schemes, beside
 * two references on the same data: one element-wise pass through the engine (the cost floor of any
 * op: a JNI call plus one sweep over memory) and a bare {@code rfft2 + irfft2} round trip.
 *
 * <p>Each timed call runs in its own {@link NDManager} scope, as in the training loop. Reported
 * times are medians over repeats of a block of calls, after warm-up.
 */
public final class PhysicsBenchmark {
    private final int batch;
    private final int n;
    private final int calls;
    private final int repeats;
    private final Function<NDManager, PhysicsModel> extra;

    public PhysicsBenchmark(int batch, int n, int calls, int repeats) {
        this(batch, n, calls, repeats, null);
    }

    /**
     * Also times the step of the physics {@code extra} opens in the benchmark's manager (e.g. a
     * learned surrogate, for the grid {@code n} and the span {@code T/M = 0.2/32}), or null.
     */
    public PhysicsBenchmark(int batch, int n, int calls, int repeats, Function<NDManager, PhysicsModel> extra) {
        this.batch = batch;
        this.n = n;
        this.calls = calls;
        this.repeats = repeats;
        this.extra = extra;
    }

    /** One result row: a name and the median time per call in microseconds. */
    public record Row(String name, double microsPerCall) {}

    public List<Row> run(NDManager parent) {
        List<Row> rows = new ArrayList<>();
        try (NDManager manager = parent.newSubManager();
                HeatEquation dense = new HeatEquation(manager, 1.0, HeatEquation.Scheme.DENSE);
                HeatEquation fft = new HeatEquation(manager, 1.0, HeatEquation.Scheme.FFT)) {
            Shape shape = new Shape(batch, n, n);
            NDArray x = new GaussianNoise(1).next(manager, shape);
            double d = 0.2 / 32;
            rows.add(new Row("elementwise pass x*1 (floor)", time(manager, x, v -> Scalars.mul(v, 1))));
            rows.add(new Row(
                    "rfft2+irfft2 round trip",
                    time(manager, x, v -> v.rfft(n, -1).fft(n, -2).ifft(n, -2).irfft(n, -1))));
            rows.add(new Row("heat step dense, forward", time(manager, x, v -> dense.advance(v, d))));
            rows.add(new Row("heat step fft, forward", time(manager, x, v -> fft.advance(v, d))));
            NDArray w = new GaussianNoise(2).next(manager, shape);
            rows.add(new Row(
                    "elementwise x*1, forward+backward (floor)", timeBackward(manager, x, w, v -> Scalars.mul(v, 1))));
            rows.add(new Row(
                    "heat step dense, forward+backward", timeBackward(manager, x, w, v -> dense.advance(v, d))));
            rows.add(new Row("heat step fft, forward+backward", timeBackward(manager, x, w, v -> fft.advance(v, d))));
            if (extra != null) {
                PhysicsModel other = extra.apply(manager);
                rows.add(new Row(other.describe() + ", forward", time(manager, x, v -> other.advance(v, d))));
                rows.add(new Row(
                        other.describe() + ", forward+backward",
                        timeBackward(manager, x, w, v -> other.advance(v, d))));
            }
        }
        return rows;
    }

    private double time(NDManager manager, NDArray x, Function<NDArray, NDArray> op) {
        return measure(() -> {
            try (NDManager step = manager.newSubManager()) {
                x.tempAttach(step);
                op.apply(x); // CPU ops are synchronous: the call returns when the result is computed
            }
        });
    }

    /**
     * Forward, a weighted-sum loss {@code sum(w * op(x))} (a dense incoming gradient, as any real
     * loss gives), backward to {@code x}; includes the gradient collector's fixed cost per step.
     */
    private double timeBackward(NDManager manager, NDArray x, NDArray w, Function<NDArray, NDArray> op) {
        return measure(() -> {
            try (NDManager step = manager.newSubManager()) {
                NDArray v = x.duplicate();
                v.attach(step);
                v.setRequiresGradient(true);
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    gc.backward(op.apply(v).mul(w).sum());
                }
            }
        });
    }

    private double measure(Runnable call) {
        for (int i = 0; i < calls; i++) {
            call.run();
        }
        double[] perCall = new double[repeats];
        for (int r = 0; r < repeats; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                call.run();
            }
            perCall[r] = (System.nanoTime() - t0) / 1e3 / calls;
        }
        Arrays.sort(perCall);
        return perCall[repeats / 2];
    }

    public Map<String, Object> describe() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("batch", batch);
        m.put("grid", n);
        m.put("calls_per_repeat", calls);
        m.put("repeats", repeats);
        m.put("threads", Runtime.getRuntime().availableProcessors());
        return m;
    }
}
