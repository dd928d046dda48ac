package dev.smdp4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
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
    private final int dilation;
    /** Output channels from which the engine's convolution backward was measured reliable. */
    static final int SAFE_FILTERS = 16;

    public CircularConv(int filters, int kernel, int dilation) {
        if (kernel % 2 != 1 || dilation < 1 || filters < 1) {
            throw new IllegalArgumentException("need an odd kernel, dilation >= 1, filters >= 1; got kernel " + kernel
                    + ", dilation " + dilation + ", filters " + filters);
        }
        this.filters = filters;
        this.pad = dilation * (kernel - 1) / 2;
        this.dilation = dilation;
        this.conv = addChildBlock("conv", Conv2d.builder()
                .setKernelShape(new Shape(kernel, kernel))
                .optDilation(new Shape(dilation, dilation))
                .setFilters(filters)
                .build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = Periodic.pad(inputs.singletonOrThrow(), pad);
        if (filters >= SAFE_FILTERS) {
            return conv.forward(store, new NDList(x), training);
        }
        // libtorch 2.7.1's CPU convolution backward (input gradient) with fewer than ~16 output
        // channels intermittently returns NaN (measured: 1-15% of passes, e.g. for the 1-channel
        // output layer). Convolve with the weight zero-padded to SAFE_FILTERS output channels and
        // keep the first `filters`: identical values, and a backward pass that stays finite.
        NDArray w = store.getValue(conv.getParameters().get("weight"), x.getDevice(), training);
        NDArray b = store.getValue(conv.getParameters().get("bias"), x.getDevice(), training);
        Shape ws = w.getShape();
        NDArray wPad = NDArrays.concat(new NDList(w, x.getManager().zeros(
                new Shape(SAFE_FILTERS - filters, ws.get(1), ws.get(2), ws.get(3)))), 0);
        NDArray bPad = NDArrays.concat(new NDList(b, x.getManager().zeros(new Shape(SAFE_FILTERS - filters))), 0);
        NDArray y = Conv2d.conv2d(x, wPad, bPad, new Shape(1, 1), new Shape(0, 0), new Shape(dilation, dilation))
                .singletonOrThrow();
        return new NDList(y.get(new NDIndex(":, :" + filters)));
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
