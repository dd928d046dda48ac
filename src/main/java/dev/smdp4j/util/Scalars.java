package dev.smdp4j.util;

import ai.djl.ndarray.NDArray;
import java.util.function.BinaryOperator;

/**
 * Arithmetic between an array and a number, with the number allocated by the engine.
 *
 * <p>DJL 0.36's {@code NDArray.mul(Number)}, {@code add(Number)}, {@code pow(Number)},
 * {@code clip(Number, Number)} and the in-place variants on the PyTorch engine wrap the number in a
 * Java direct buffer ({@code from_blob}, no copy), compute, and close the wrapper at once. Autograd
 * keeps the scalar for the backward pass ({@code d(x c)/dx = c}) without owning its memory, so once
 * the garbage collector frees the buffer, backward reads whatever was allocated there: the
 * gradient is silently wrong. It happened in training only when a collection fell between forward
 * and backward, which made resumed runs occasionally differ from uninterrupted ones
 * (docs/RELIABILITY.md). Here the scalar comes from {@link EngineArrays#scalarLike}, engine memory
 * that autograd keeps alive. The scalar has the array's floating type (float32 for float32), so
 * nothing is promoted to float64. Every number operand in {@code src/main} goes through here
 * ({@code EngineArraysRuleTest}).
 */
public final class Scalars {
    private Scalars() {}

    /** {@code x * value}, in {@code x}'s manager. */
    public static NDArray mul(NDArray x, double value) {
        return apply(x, value, NDArray::mul);
    }

    /** {@code x / value}, in {@code x}'s manager. */
    public static NDArray div(NDArray x, double value) {
        return apply(x, value, NDArray::div);
    }

    /** {@code x + value}, in {@code x}'s manager. */
    public static NDArray add(NDArray x, double value) {
        return apply(x, value, NDArray::add);
    }

    /** {@code x - value}, in {@code x}'s manager. */
    public static NDArray sub(NDArray x, double value) {
        return apply(x, value, NDArray::sub);
    }

    /** {@code x ^ value}, element-wise, in {@code x}'s manager. */
    public static NDArray pow(NDArray x, double value) {
        return apply(x, value, NDArray::pow);
    }

    /** {@code x *= value} in place; returns {@code x}. */
    public static NDArray muli(NDArray x, double value) {
        return apply(x, value, NDArray::muli);
    }

    /** {@code x /= value} in place; returns {@code x}. */
    public static NDArray divi(NDArray x, double value) {
        return apply(x, value, NDArray::divi);
    }

    /** {@code x += value} in place; returns {@code x}. */
    public static NDArray addi(NDArray x, double value) {
        return apply(x, value, NDArray::addi);
    }

    /** {@code x} clipped to {@code [lo, hi]} (NaN stays NaN), in {@code x}'s manager. */
    public static NDArray clip(NDArray x, double lo, double hi) {
        try (NDArray low = apply(x, lo, NDArray::maximum)) {
            return apply(low, hi, NDArray::minimum);
        }
    }

    /** {@code op(x, c)} with {@code c = value} as an engine scalar of x's floating type, closed afterwards. */
    private static NDArray apply(NDArray x, double value, BinaryOperator<NDArray> op) {
        try (NDArray c = EngineArrays.scalarLike(x, value)) {
            return op.apply(x, c);
        }
    }
}
