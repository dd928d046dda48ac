package dev.smdp4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;

/** Periodic ("circular") padding of the last two axes: the benchmark's domain is a torus. */
public final class Periodic {
    private Periodic() {}

    /**
     * Pads the last two axes of {@code x} by {@code p} cells on each side with wrapped values. Per
     * axis one split into views and one concatenation: two engine calls, where slicing the two
     * borders and concatenating took five (measured: at batch 1 the engine calls, not the copied
     * bytes, are what a padding costs; docs/BENCHMARKS.md).
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
        return wrap(wrap(x, p, dims - 2), p, dims - 1);
    }

    /** {@code [x[n-p:], x, x[:p]]} along {@code axis}. */
    private static NDArray wrap(NDArray x, int p, int axis) {
        long n = x.getShape().get(axis);
        if (2L * p >= n) { // the borders meet or overlap: slice them separately
            return NDArrays.concat(
                    new NDList(x.get(border(axis, (n - p) + ":")), x, x.get(border(axis, ":" + p))), axis);
        }
        NDList parts = x.split(new long[] {p, n - p}, axis); // [0, p), [p, n - p), [n - p, n)
        return NDArrays.concat(new NDList(parts.get(2), parts.get(0), parts.get(1), parts.get(2), parts.get(0)), axis);
    }

    private static ai.djl.ndarray.index.NDIndex border(int axis, String range) {
        return new ai.djl.ndarray.index.NDIndex(":, ".repeat(axis) + range);
    }
}
