package dev.smdp4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.smdp4j.score.NetworkOutput;

/**
 * Evaluates a block on {@code [x, t / T]}: the field plus a constant channel holding the time,
 * scaled to [0, 1] by the end time T of the data set (the reference feeds the raw t; scaling only
 * changes the input's range).
 */
public final class TimeConditionedNetwork implements NetworkOutput {
    private final Block block;
    private final ParameterStore store;
    private final double endTime;
    private boolean training;

    public TimeConditionedNetwork(Block block, ParameterStore store, double endTime) {
        this.block = block;
        this.store = store;
        this.endTime = endTime;
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
        NDArray input = NDArrays.concat(new NDList(field, time), 1);
        return block.forward(store, new NDList(input), training).singletonOrThrow().squeeze(1);
    }

    public Block block() {
        return block;
    }

    @Override
    public String describe() {
        return "score-net";
    }
}
