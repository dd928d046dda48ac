package dev.smdp4j.util;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Multiplication and division by a number that autograd can differentiate safely.
 *
 * <p>DJL 0.36's {@code NDArray.mul(Number)} and {@code div(Number)} on the PyTorch engine wrap the
 * number in a Java direct buffer ({@code from_blob}, no copy), compute, and close the wrapper at
 * once. Autograd keeps the scalar for the backward pass ({@code d(x c)/dx = c}) without owning its
 * memory, so once the garbage collector frees the buffer, backward reads whatever was allocated
 * there: the gradient is silently wrong. It happened in training only when a collection fell
 * between forward and backward, which made resumed runs occasionally differ from uninterrupted ones
 * (docs/RELIABILITY.md). Here the scalar is allocated by the engine, which autograd keeps alive.
 * Use these in every computation that may be differentiated.
 */
public final class Scalars {
    private Scalars() {
    }

    /** {@code x * value}, in {@code x}'s manager. */
    public static NDArray mul(NDArray x, double value) {
        try (NDArray c = scalar(x, value)) {
            return x.mul(c);
        }
    }

    /** {@code x / value}, in {@code x}'s manager. */
    public static NDArray div(NDArray x, double value) {
        try (NDArray c = scalar(x, value)) {
            return x.div(c);
        }
    }

    private static NDArray scalar(NDArray x, double value) {
        DataType type = x.getDataType() == DataType.FLOAT64 ? DataType.FLOAT64 : DataType.FLOAT32;
        return x.getManager().full(new Shape(), (float) value, type);
    }
}
