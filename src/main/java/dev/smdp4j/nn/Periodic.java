package dev.smdp4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;

/** Periodic ("circular") padding of the last two axes: the benchmark's domain is a torus. */
public final class Periodic {
    private Periodic() {}

    /**
     * Pads the last two axes of {@code x} by {@code p} cells on each side with wrapped values. Per
     * axis one split into views and one concatenation: two engine calls, where slicing the two
     * borders and concatenating took five (measured: at batch 1 the engine calls, not the copied
     * bytes, are what a padding costs; docs/BENCHMARKS.md). Large arrays padded without gradient
     * recording take {@link #fillHalo} instead (see {@link #IN_PLACE_MIN_SIZE}).
     */
    public static NDArray pad(NDArray x, int p) {
        if (p == 0) {
            return x;
        }
        int dims = x.getShape().dimension();
        long h = x.getShape().get(dims - 2);
        long w = x.getShape().get(dims - 1);
        if (p > h || p > w) {
            throw new IllegalArgumentException("periodic padding " + p + " exceeds the field size " + h + "x" + w);
        }
        return x.size() >= IN_PLACE_MIN_SIZE && 2L * p <= h && 2L * p <= w && !JniUtils.isGradMode()
                ? fillHalo(x, p)
                : wrapBoth(x, p, dims);
    }

    /**
     * Without gradient recording, arrays from this many values up are padded by {@link #fillHalo},
     * smaller ones by concatenation, which takes fewer engine calls (what a small array's padding
     * costs). With gradient recording always by concatenation: the backward pass through the
     * in-place copies costs more than the forward pass saves (docs/BENCHMARKS.md, "Periodic
     * padding").
     */
    static final long IN_PLACE_MIN_SIZE = 1L << 18;

    /**
     * An uninitialised array of the padded size, {@code x} copied into its interior, then the four
     * borders copied in place: first the rows above and below (from the opposite rows of {@code
     * x}), then the columns left and right over the full height (from the padded array's own
     * interior, which fills the corners). Every cell is written exactly once, where two
     * concatenations copy the whole array twice and a zero padding first writes every cell with
     * zero. Needs {@code 2p} at most the field size.
     */
    static NDArray fillHalo(NDArray x, int p) {
        int dims = x.getShape().dimension();
        long h = x.getShape().get(dims - 2);
        long w = x.getShape().get(dims - 1);
        String lead = ":, ".repeat(dims - 2);
        long[] padded = x.getShape().getShape().clone(); // getShape() is the Shape's own array
        padded[dims - 2] += 2L * p;
        padded[dims - 1] += 2L * p;
        NDArray y = x.getManager().create(new Shape(padded), x.getDataType(), x.getDevice());
        String inner = ", " + p + ":" + (p + w);
        y.set(new NDIndex(lead + p + ":" + (p + h) + inner), x);
        copy(y, lead + "0:" + p + inner, x, lead + (h - p) + ":, :");
        copy(y, lead + (p + h) + ":" + inner, x, lead + "0:" + p + ", :");
        copy(y, lead + ":, 0:" + p, y, lead + ":, " + w + ":" + (w + p));
        copy(y, lead + ":, " + (p + w) + ":", y, lead + ":, " + p + ":" + (2 * p));
        return y;
    }

    /** Both axes wrapped, the first axis's result freed once the second has read it. */
    private static NDArray wrapBoth(NDArray x, int p, int dims) {
        NDArray rows = wrap(x, p, dims - 2);
        NDArray y = wrap(rows, p, dims - 1);
        rows.close();
        return y;
    }

    /** {@code target[to] = source[from]} in place; the view of the source is freed at once. */
    private static void copy(NDArray target, String to, NDArray source, String from) {
        try (NDArray part = source.get(new NDIndex(from))) {
            target.set(new NDIndex(to), part);
        }
    }

    /** {@code [x[n-p:], x, x[:p]]} along {@code axis}. */
    private static NDArray wrap(NDArray x, int p, int axis) {
        long n = x.getShape().get(axis);
        if (2L * p >= n) { // the borders meet or overlap: slice them separately
            return NDArrays.concat(
                    new NDList(x.get(border(axis, (n - p) + ":")), x, x.get(border(axis, ":" + p))), axis);
        }
        NDList parts = x.split(new long[] {p, n - p}, axis); // [0, p), [p, n - p), [n - p, n)
        NDArray y =
                NDArrays.concat(new NDList(parts.get(2), parts.get(0), parts.get(1), parts.get(2), parts.get(0)), axis);
        parts.close(); // views
        return y;
    }

    private static NDIndex border(int axis, String range) {
        return new NDIndex(":, ".repeat(axis) + range);
    }
}
