package dev.smdp4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;

/** Periodic ("circular") padding of the last two axes: the benchmark's domain is a torus. */
public final class Periodic {
    private Periodic() {
    }

    /** Pads the last two axes of {@code x} by {@code p} cells on each side with wrapped values. */
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
        NDArray rows = NDArrays.concat(new NDList(
                x.get(new NDIndex("..., " + (h - p) + ":, :")), x, x.get(new NDIndex("..., :" + p + ", :"))), dims - 2);
        return NDArrays.concat(new NDList(
                rows.get(new NDIndex("..., " + (w - p) + ":")), rows, rows.get(new NDIndex("..., :" + p))), dims - 1);
    }
}
