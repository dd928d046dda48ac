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
    private final int kernel;
    /** Output channels from which the engine's convolution backward was measured reliable; also the input-channel block. */
    static final int SAFE_FILTERS = 16;

    public CircularConv(int filters, int kernel, int dilation) {
        if (kernel % 2 != 1 || dilation < 1 || filters < 1) {
            throw new IllegalArgumentException("need an odd kernel, dilation >= 1, filters >= 1; got kernel " + kernel
                    + ", dilation " + dilation + ", filters " + filters);
        }
        this.filters = filters;
        this.pad = dilation * (kernel - 1) / 2;
        this.dilation = dilation;
        this.kernel = kernel;
        this.conv = addChildBlock("conv", Conv2d.builder()
                .setKernelShape(new Shape(kernel, kernel))
                .optDilation(new Shape(dilation, dilation))
                .setFilters(filters)
                .build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = Periodic.pad(inputs.singletonOrThrow(), pad);
        long in = x.getShape().get(1);
        int inPad = kernel > 1 && in > SAFE_FILTERS && in % SAFE_FILTERS != 0 ? (int) (SAFE_FILTERS - in % SAFE_FILTERS) : 0;
        int outPad = filters % SAFE_FILTERS == 0 ? 0 : SAFE_FILTERS - filters % SAFE_FILTERS;
        if (outPad == 0 && inPad == 0) {
            return conv.forward(store, new NDList(x), training);
        }
        // Two libtorch 2.7.1 CPU convolution faults, both reading uninitialised memory (measured in
        // docs/BENCHMARKS.md): (1) the input gradient of a convolution with fewer than ~16 output
        // channels is intermittently NaN (1-15% of passes), and so, more rarely, with 20; (2) the forward pass of a k x k (k > 1)
        // convolution whose input channel count is above 16 and not a multiple of 16 (e.g. 20, 24,
        // 40) is NaN in 5-70% of calls. Zero-padding the weight to SAFE_FILTERS output channels and
        // the input and weight to a multiple of 16 input channels gives identical values and finite
        // results in every pass measured. A 20 -> 20 convolution also gave a NaN input gradient once in
        // a full test run, so output channels are padded to a multiple of 16 as well.
        NDManager m = x.getManager();
        NDArray w = store.getValue(conv.getParameters().get("weight"), x.getDevice(), training);
        NDArray b = store.getValue(conv.getParameters().get("bias"), x.getDevice(), training);
        Shape ws = w.getShape();
        if (inPad > 0) {
            Shape xs = x.getShape();
            x = NDArrays.concat(new NDList(x, m.zeros(new Shape(xs.get(0), inPad, xs.get(2), xs.get(3)))), 1);
            w = inScope(NDArrays.concat(new NDList(w, m.zeros(new Shape(ws.get(0), inPad, ws.get(2), ws.get(3)))), 1), m);
        }
        if (outPad > 0) {
            Shape padded = w.getShape();
            w = inScope(NDArrays.concat(new NDList(w, m.zeros(new Shape(outPad, padded.get(1), padded.get(2),
                    padded.get(3)))), 0), m);
            b = inScope(NDArrays.concat(new NDList(b, m.zeros(new Shape(outPad))), 0), m);
        }
        NDArray y = Conv2d.conv2d(x, w, b, new Shape(1, 1), new Shape(0, 0), new Shape(dilation, dilation))
                .singletonOrThrow();
        return new NDList(outPad > 0 ? y.get(new NDIndex(":, :" + filters)) : y);
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

    /**
     * A padded copy of a parameter moved into the pass's manager: DJL puts an op's result in the
     * manager of its left operand, here the parameters' long-lived one, so without this every
     * forward pass leaked its copies (and the heap fragmentation around them grew to GBs over a
     * training run; docs/BENCHMARKS.md, "Training memory").
     */
    private static NDArray inScope(NDArray copy, NDManager manager) {
        copy.attach(manager);
        return copy;
    }
}
