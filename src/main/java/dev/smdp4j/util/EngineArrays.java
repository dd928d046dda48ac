package dev.smdp4j.util;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The one way host data (Java arrays and numbers) enters the engine. Every array returned here owns
 * its memory inside libtorch.
 *
 * <p>Why this exists: on the CPU, DJL 0.36 turns host data into a tensor with {@code torch::from_blob},
 * a view of a Java direct buffer that only the Java object keeps alive. Autograd (saved tensors),
 * views and caches can go on reading that memory after the Java side is collected, and then read
 * whatever was allocated there since: results that depend on when the garbage collector runs
 * (docs/RELIABILITY.md). The same holds for the number arguments of {@code NDArray.mul(Number)},
 * {@code add(Number)}, {@code pow(Number)}, {@code set(NDIndex, Number)} and friends, which DJL wraps
 * the same way. Here the borrowed view is copied by libtorch ({@code clone}) and closed at once, and
 * numbers become engine-allocated scalars ({@code torch::full}).
 *
 * <p>{@code EngineArraysRuleTest} fails when code in {@code src/main} outside this class calls a DJL
 * method that takes host data.
 */
public final class EngineArrays {
    private EngineArrays() {}

    /** An engine-owned float32 array of {@code shape} holding {@code data}, in {@code manager}. */
    public static NDArray of(NDManager manager, float[] data, Shape shape) {
        requireSize(data.length, shape);
        try (NDArray borrowed = manager.create(data, shape)) {
            return borrowed.duplicate();
        }
    }

    /** An engine-owned float64 array of {@code shape} holding {@code data}, in {@code manager}. */
    public static NDArray of(NDManager manager, double[] data, Shape shape) {
        requireSize(data.length, shape);
        try (NDArray borrowed = manager.create(data, shape)) {
            return borrowed.duplicate();
        }
    }

    /** An engine-owned int64 array of {@code shape} holding {@code data}, in {@code manager}. */
    public static NDArray of(NDManager manager, long[] data, Shape shape) {
        requireSize(data.length, shape);
        try (NDArray borrowed = manager.create(data, shape)) {
            return borrowed.duplicate();
        }
    }

    /** An engine-owned one-dimensional float32 array holding {@code data}. */
    public static NDArray of(NDManager manager, float[] data) {
        return of(manager, data, new Shape(data.length));
    }

    /** An engine-allocated scalar (shape {@code ()}) of the given type. */
    public static NDArray scalar(NDManager manager, double value, DataType type) {
        return manager.full(new Shape(), (float) value, type);
    }

    /** A scalar of {@code like}'s floating type (float64 stays float64, everything else float32), in its manager. */
    public static NDArray scalarLike(NDArray like, double value) {
        DataType type = like.getDataType() == DataType.FLOAT64 ? DataType.FLOAT64 : DataType.FLOAT32;
        return scalar(like.getManager(), value, type);
    }

    /**
     * Overwrites {@code target}'s values in place, in its own storage (also when it requires a
     * gradient or is a view of a larger array). Not {@code NDArray.set(Buffer)}: on the PyTorch
     * engine that makes the tensor alias a Java buffer.
     */
    public static void copyInto(NDArray target, float[] data) {
        try (NDManager scope = target.getManager().newSubManager()) {
            target.set(new NDIndex("..."), of(scope, data, target.getShape()));
        }
    }

    /** Sets every element of {@code target} to {@code value}, in place (also clears NaN). */
    public static void fill(NDArray target, double value) {
        try (NDArray v = scalarLike(target, value)) {
            target.set(new NDIndex("..."), v);
        }
    }

    /**
     * Rows {@code rows[0], rows[1], ...} of {@code x} ({@code [R, ...]}) along the first axis, as
     * {@code [rows.length, ...]}: one indexing call with an engine-owned index of the rows,
     * differentiable.
     */
    public static NDArray rows(NDArray x, long[] rows) {
        try (NDArray index = of(x.getManager(), rows, new Shape(rows.length))) {
            return x.get(new NDIndex("{}", index));
        }
    }

    private static void requireSize(int length, Shape shape) {
        if (length != shape.size()) {
            throw new IllegalArgumentException(length + " values for shape " + shape);
        }
    }
}
