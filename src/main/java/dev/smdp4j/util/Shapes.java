package dev.smdp4j.util;

import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/** Shapes of batches of states: {@code [count, ...state]}. */
public final class Shapes {
    private Shapes() {}

    /** {@code [count, ...state]} as an engine shape. */
    public static Shape batch(int count, int[] state) {
        long[] dims = new long[state.length + 1];
        dims[0] = count;
        for (int i = 0; i < state.length; i++) {
            dims[i + 1] = state[i];
        }
        return new Shape(dims);
    }

    /** The shape of one state of a batch shape {@code [count, ...state]}. */
    public static int[] state(int[] batchShape) {
        return Arrays.copyOfRange(batchShape, 1, batchShape.length);
    }

    /** {@code [first, ...rest]}. */
    public static int[] prepend(int first, int[] rest) {
        int[] out = new int[rest.length + 1];
        out[0] = first;
        System.arraycopy(rest, 0, out, 1, rest.length);
        return out;
    }
}
