package dev.smdp4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import dev.smdp4j.score.NetworkOutput;
import dev.smdp4j.util.EngineArrays;
import dev.smdp4j.util.Scalars;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates an {@link MlpConfig} block on a batch of states {@code [B, ...]} (flattened to
 * {@code [B, D]}) and the time, as {@code [x, log(t + 1e-5)]}, times a fixed output scale; the
 * result has the states' shape. Computed from the layers' parameters directly, so that the same
 * pass can carry a tangent: {@link #jvp} gives the Jacobian-vector product {@code (d net / dx) v}
 * by forward-mode differentiation, exactly and differentiably with respect to the weights (what
 * implicit and sliced score matching need).
 */
public final class MlpNetwork implements NetworkOutput {
    /** The time offset of the input {@code log(t + 1e-5)} (the reference's). */
    public static final double TIME_OFFSET = 1e-5;

    private final Block block;
    /** The block's linear layers in order (fixed once the block is built). */
    private final List<Linear> layers;

    private final double outputScale;
    private final double inputGain;
    private final double timeScale;

    /** A fixed output scale. */
    public MlpNetwork(Block block, double outputScale) {
        this(block, outputScale, 1, 0);
    }

    /**
     * The state enters multiplied by {@code inputGain}; with {@code timeScale = T > 0}, the output
     * scale is divided by {@code sqrt(t / T + 1e-3)} (see {@link MlpConfig}).
     */
    public MlpNetwork(Block block, double outputScale, double inputGain, double timeScale) {
        this.block = block;
        this.layers = new ArrayList<>();
        for (var child : block.getChildren().values()) {
            if (child instanceof Linear l) {
                layers.add(l);
            }
        }
        this.outputScale = outputScale;
        this.inputGain = inputGain;
        this.timeScale = timeScale;
    }

    /** The output and its directional derivative along {@code v} (same shape as {@code x}). */
    public record Jvp(NDArray output, NDArray derivative) {}

    @Override
    public NDArray output(NDArray x, double t) {
        return pass(x, t, null).output();
    }

    /**
     * {@code net(x_i, t_i)} with each row at its own time: the time column and the output scale
     * are per row. The same function as {@link #output(NDArray, double)} row by row.
     */
    @Override
    public NDArray output(NDArray x, double[] times) {
        return jvp(x, times, null).output();
    }

    /** {@link #jvp(NDArray, double, NDArray)} with row {@code i} at time {@code times[i]} ({@code v} may be null). */
    public Jvp jvp(NDArray x, double[] times, NDArray v) {
        Shape shape = x.getShape();
        int batch = Math.toIntExact(shape.get(0));
        if (times.length != batch) {
            throw new IllegalArgumentException(times.length + " times for a batch of " + batch);
        }
        float[] logTime = new float[batch];
        float[] scale = new float[batch];
        for (int i = 0; i < batch; i++) {
            logTime[i] = (float) Math.log(times[i] + TIME_OFFSET);
            scale[i] = (float) scale(times[i]);
        }
        Jvp h = hidden(x, EngineArrays.of(x.getManager(), logTime, new Shape(batch, 1)), v);
        NDArray perRow = EngineArrays.of(x.getManager(), scale, new Shape(batch, 1));
        return new Jvp(
                h.output().mul(perRow).reshape(shape),
                h.derivative() == null ? null : h.derivative().mul(perRow).reshape(shape));
    }

    /** {@code net(x, t)} and {@code (d net / dx)(x, t) v}. */
    public Jvp jvp(NDArray x, double t, NDArray v) {
        return pass(x, t, v);
    }

    private Jvp pass(NDArray x, double t, NDArray v) {
        Shape shape = x.getShape();
        long batch = shape.get(0);
        NDArray time = x.getManager().full(new Shape(batch, 1), (float) Math.log(t + TIME_OFFSET));
        Jvp h = hidden(x, time, v);
        double scale = scale(t);
        NDArray out = Scalars.mul(h.output(), scale).reshape(shape);
        return new Jvp(
                out,
                h.derivative() == null
                        ? null
                        : Scalars.mul(h.derivative(), scale).reshape(shape));
    }

    /** The output scale at time {@code t}. */
    private double scale(double t) {
        return timeScale > 0 ? outputScale / Math.sqrt(t / timeScale + 1e-3) : outputScale;
    }

    /** The layers' output {@code [B, D]} (and tangent) before the output scale, from the time column {@code [B, 1]}. */
    private Jvp hidden(NDArray x, NDArray time, NDArray v) {
        long batch = x.getShape().get(0);
        NDArray state = inputGain == 1 ? x.reshape(batch, -1) : Scalars.mul(x.reshape(batch, -1), inputGain);
        NDArray h = NDArrays.concat(new NDList(state, time), 1);
        NDArray direction = v == null || inputGain == 1 ? v : Scalars.mul(v, inputGain);
        NDArray tangent =
                v == null ? null : NDArrays.concat(new NDList(direction.reshape(batch, -1), time.zerosLike()), 1);
        for (int i = 0; i < layers.size(); i++) {
            NDArray weight = layers.get(i).getParameters().get("weight").getArray();
            NDArray bias = layers.get(i).getParameters().get("bias").getArray();
            NDArray z = Linear.linear(h, weight, bias).singletonOrThrow();
            if (tangent != null) {
                tangent = tangent.matMul(weight.transpose());
            }
            if (i == layers.size() - 1) {
                h = z;
                break;
            }
            h = Activation.elu(z, 1f);
            if (tangent != null) {
                // elu'(z) = 1 for z > 0 and exp(z) = elu(z) + 1 for z <= 0: min(elu(z) + 1, 1).
                tangent = tangent.mul(Scalars.clip(Scalars.add(h, 1), 0, 1));
            }
        }
        return new Jvp(h, tangent);
    }

    public Block block() {
        return block;
    }

    @Override
    public String describe() {
        return "mlp";
    }
}
