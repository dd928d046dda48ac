package dev.smdp4j.nn;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A 2-D convolution with periodic padding, so that the output has the input's size and the
 * domain's wrap-around is respected (equivalent to the reference's 3x3 tiling, at a quarter of its
 * cost). Odd kernel sizes; any dilation.
 */
public final class CircularConv extends AbstractBlock {
    private final Conv2d conv;
    private final int filters;
    private final int pad;

    public CircularConv(int filters, int kernel, int dilation) {
        if (kernel % 2 != 1 || dilation < 1 || filters < 1) {
            throw new IllegalArgumentException("need an odd kernel, dilation >= 1, filters >= 1; got kernel " + kernel
                    + ", dilation " + dilation + ", filters " + filters);
        }
        this.filters = filters;
        this.pad = dilation * (kernel - 1) / 2;
        this.conv = addChildBlock(
                "conv",
                Conv2d.builder()
                        .setKernelShape(new Shape(kernel, kernel))
                        .optDilation(new Shape(dilation, dilation))
                        .setFilters(filters)
                        .build());
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        return conv.forward(store, new NDList(Periodic.pad(inputs.singletonOrThrow(), pad)), training);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), filters, in.get(2), in.get(3))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        conv.initialize(manager, dataType, new Shape(in.get(0), in.get(1), in.get(2) + 2L * pad, in.get(3) + 2L * pad));
    }

    /** The wrapped convolution, e.g. to set its initializer. */
    public Conv2d conv() {
        return conv;
    }
}
