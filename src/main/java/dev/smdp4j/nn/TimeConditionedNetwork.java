package dev.smdp4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.smdp4j.physics.PhysicsModel;
import dev.smdp4j.score.NetworkOutput;
import dev.smdp4j.util.Scalars;

/**
 * Evaluates a block on {@code [x, t / T]}: the field plus a constant channel holding the time,
 * scaled to [0, 1] by the end time T of the data set (the reference feeds the raw t; scaling only
 * changes the input's range), and multiplies the result by a fixed output scale.
 */
public final class TimeConditionedNetwork implements NetworkOutput {
    /** Fields per block evaluation; larger batches are evaluated in chunks of this size. */
    public static final int CHUNK = 32;

    private final Block block;
    private final ParameterStore store;
    private final double endTime;
    private final float outputScale;
    private final PhysicsModel physics;
    private final double featureSpan;
    private final float featureScale;
    private boolean training;

    /**
     * @param outputScale fixed factor applied to the block's output, so that the block itself works
     *     with O(1) values (see {@code SmdpModel#outputScale})
     */
    public TimeConditionedNetwork(Block block, ParameterStore store, double endTime, double outputScale) {
        this(block, store, endTime, outputScale, null, 0, 0);
    }

    /**
     * With a physics feature: a third input channel {@code featureScale * P_span(x)}, the physics
     * increment over a fixed span (a fixed, parameter-free filter of x, so the network stays a
     * function of (x, t) whatever step size a sampler uses).
     */
    public TimeConditionedNetwork(
            Block block,
            ParameterStore store,
            double endTime,
            double outputScale,
            PhysicsModel physics,
            double featureSpan,
            double featureScale) {
        this.block = block;
        this.store = store;
        this.endTime = endTime;
        this.outputScale = (float) outputScale;
        this.physics = physics;
        this.featureSpan = featureSpan;
        this.featureScale = (float) featureScale;
    }

    /** Input channels this network feeds its block: field, time, and the physics feature if any. */
    public int inputChannels() {
        return physics == null ? 2 : 3;
    }

    /** Whether forward passes run in training mode (matters only for blocks with dropout). */
    public void setTraining(boolean training) {
        this.training = training;
    }

    @Override
    public NDArray output(NDArray x, double t) {
        Shape s = x.getShape();
        NDArray field = x.expandDims(1);
        NDArray time = x.getManager().full(new Shape(s.get(0), 1, s.get(1), s.get(2)), (float) (t / endTime));
        NDList channels = new NDList(field, time);
        if (physics != null) {
            channels.add(
                    Scalars.mul(physics.increment(x, featureSpan), featureScale).expandDims(1));
        }
        NDArray input = NDArrays.concat(channels, 1);
        NDArray full = forwardInChunks(input);
        if (full != input) { // a block may return its input
            input.close(); // freed before the next pass allocates (see ScoreNet's forward)
        }
        NDArray out = full.squeeze(1);
        return outputScale == 1f ? out : Scalars.mul(out, outputScale);
    }

    /**
     * The block on at most {@link #CHUNK} fields at a time. Each field's output depends only on its
     * own input, so this changes no value (up to the kernels' rounding), but the activations of a
     * chunk stay in cache: measured on this machine's CPU, forward+backward per field at batch 128
     * ran at about half the rate of batch 32 (docs/BENCHMARKS.md).
     */
    private NDArray forwardInChunks(NDArray input) {
        long batch = input.getShape().get(0);
        if (batch <= CHUNK) {
            return block.forward(store, new NDList(input), training).singletonOrThrow();
        }
        long[] cuts = new long[(int) ((batch - 1) / CHUNK)];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = (i + 1L) * CHUNK;
        }
        NDList outputs = new NDList(cuts.length + 1);
        NDList parts = input.split(cuts);
        for (NDArray part : parts) {
            outputs.add(block.forward(store, new NDList(part), training).singletonOrThrow());
        }
        NDArray out = NDArrays.concat(outputs);
        parts.close(); // views of the input
        outputs.close();
        return out;
    }

    public Block block() {
        return block;
    }

    @Override
    public String describe() {
        return "score-net";
    }
}
