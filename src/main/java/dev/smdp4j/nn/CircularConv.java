package dev.smdp4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
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

    /**
     * The channel block of the engine's safe convolutions: output channels are zero-padded to a
     * multiple of it, and input channels above it as well (docs/RELIABILITY.md, "Convolution NaNs").
     */
    static final int SAFE_CHANNELS = 16;

    /** The input size up to which libtorch tries NNPACK for a single input (its oneDNN heuristic). */
    static final long SMALL_INPUT = 20480;

    public CircularConv(int filters, int kernel, int dilation) {
        if (kernel % 2 != 1 || dilation < 1 || filters < 1) {
            throw new IllegalArgumentException("need an odd kernel, dilation >= 1, filters >= 1; got kernel " + kernel
                    + ", dilation " + dilation + ", filters " + filters);
        }
        this.filters = filters;
        this.pad = dilation * (kernel - 1) / 2;
        this.dilation = dilation;
        this.conv = addChildBlock(
                "conv",
                Conv2d.builder()
                        .setKernelShape(new Shape(kernel, kernel))
                        .optDilation(new Shape(dilation, dilation))
                        .setFilters(filters)
                        .build());
    }

    /** Frees what the pass made on the way (the padded input, padded weights, the batch-1 copy) once the convolution has read it. */
    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray input = inputs.singletonOrThrow();
        NDArray x = Periodic.pad(input, pad);
        int inPad = inputChannelPad(x.getShape().get(1));
        int outPad = outputChannelPad(filters);
        NDList made = new NDList(); // freed after the convolution
        if (x != input) {
            made.add(x);
        }
        NDArray w = null;
        NDArray b = null;
        if (outPad > 0 || inPad > 0) {
            // libtorch's CPU convolution (oneDNN's JIT kernels) reads uninitialised memory for some
            // channel counts on some CPUs: NaN outputs with input channels above 16 and not a multiple
            // of 16, NaN input gradients with output channels not a multiple of 16. Reproduced with
            // engine-allocated data only on an AVX-512 machine (ConvNanReproduction, in the test
            // sources); zero channels give the same values, and the padded shapes stayed finite in
            // every call measured.
            NDManager m = x.getManager();
            w = store.getValue(conv.getParameters().get("weight"), x.getDevice(), training);
            b = store.getValue(conv.getParameters().get("bias"), x.getDevice(), training);
            Shape ws = w.getShape();
            if (inPad > 0) {
                Shape xs = x.getShape();
                x = NDArrays.concat(new NDList(x, m.zeros(new Shape(xs.get(0), inPad, xs.get(2), xs.get(3)))), 1);
                w = inScope(
                        NDArrays.concat(new NDList(w, m.zeros(new Shape(ws.get(0), inPad, ws.get(2), ws.get(3)))), 1),
                        m);
                made.add(x);
                made.add(w);
            }
            if (outPad > 0) {
                Shape padded = w.getShape();
                w = inScope(
                        NDArrays.concat(
                                new NDList(w, m.zeros(new Shape(outPad, padded.get(1), padded.get(2), padded.get(3)))),
                                0),
                        m);
                b = inScope(NDArrays.concat(new NDList(b, m.zeros(new Shape(outPad))), 0), m);
                made.add(w);
                made.add(b);
            }
        }
        NDArray batch = batchable(x);
        if (batch != x) {
            made.add(batch);
        }
        NDArray y = w == null
                ? conv.forward(store, new NDList(batch), training).singletonOrThrow()
                : Conv2d.conv2d(batch, w, b, new Shape(1, 1), new Shape(0, 0), new Shape(dilation, dilation))
                        .singletonOrThrow();
        made.close();
        return new NDList(trim(y, batch != x, outPad > 0));
    }

    /** Zero input channels the safe convolution appends to {@code in} input channels (0 up to 16 and for multiples of 16). */
    static int inputChannelPad(long in) {
        return in > SAFE_CHANNELS && in % SAFE_CHANNELS != 0 ? (int) (SAFE_CHANNELS - in % SAFE_CHANNELS) : 0;
    }

    /** Zero output channels the safe convolution appends to {@code filters} output channels (up to a multiple of 16). */
    static int outputChannelPad(int filters) {
        return filters % SAFE_CHANNELS == 0 ? 0 : SAFE_CHANNELS - filters % SAFE_CHANNELS;
    }

    /**
     * The input, with a zero field appended when it is one small field. libtorch sends a convolution
     * of one input with at most {@value #SMALL_INPUT} values past oneDNN to its NNPACK check, which
     * on CPUs NNPACK does not support (seen on a virtualised AMD EPYC) logs "Could not initialize
     * NNPACK! Reason: Unsupported hardware." at every call: thousands of lines for one batch-1
     * sampling run. Two inputs always take oneDNN, and the extra zero field is cheap at that size.
     */
    static NDArray batchable(NDArray x) {
        return x.getShape().get(0) == 1 && x.size() <= SMALL_INPUT
                ? NDArrays.concat(new NDList(x, x.zerosLike()), 0)
                : x;
    }

    /**
     * {@code y} without what {@link #batchable} and the output-channel padding added: its first
     * item when the input was batched up, its first {@code filters} channels when they were padded.
     * One view (which keeps the values); {@code y} itself is freed.
     */
    private NDArray trim(NDArray y, boolean batchedUp, boolean channelsPadded) {
        if (!batchedUp && !channelsPadded) {
            return y;
        }
        NDArray view = y.get(new NDIndex((batchedUp ? "0:1" : ":") + (channelsPadded ? ", :" + filters : "")));
        y.close();
        return view;
    }

    /**
     * A padded copy of a parameter moved into the pass's manager: DJL puts an op's result in the
     * manager of its left operand, here the parameters' long-lived one, so without this every
     * forward pass would leak its copies.
     */
    private static NDArray inScope(NDArray copy, NDManager manager) {
        copy.attach(manager);
        return copy;
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
