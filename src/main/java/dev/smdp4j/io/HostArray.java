package dev.smdp4j.io;

import java.util.Arrays;

/**
 * A dense float32 array on the Java heap in C (row-major) order, with its shape.
 *
 * <p>This is the exchange type between files, metrics and the engine: files are read into it,
 * metrics are computed on it in double precision, and it is copied into an engine tensor when the
 * physics or a network needs it. It holds no native memory.
 */
public final class HostArray {
    private final float[] data;
    private final int[] shape;

    /** Wraps {@code data} (not copied) with {@code shape}; the element counts must agree. */
    public HostArray(float[] data, int... shape) {
        long n = 1;
        for (int s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= s;
        }
        if (n != data.length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " holds " + n + " elements but the data has " + data.length);
        }
        this.data = data;
        this.shape = shape.clone();
    }

    /** A zero-filled array of the given shape. */
    public static HostArray zeros(int... shape) {
        long n = 1;
        for (int s : shape) {
            n *= s;
        }
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("array of shape " + Arrays.toString(shape) + " is too large");
        }
        return new HostArray(new float[(int) n], shape);
    }

    public float[] data() {
        return data;
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        return shape[axis];
    }

    public int size() {
        return data.length;
    }

    /** Number of elements in one entry along the first axis. */
    public int strideOfFirstAxis() {
        return shape.length == 0 || shape[0] == 0 ? 0 : data.length / shape[0];
    }

    /** Entry {@code i} along the first axis, copied. */
    public HostArray slice(int i) {
        int stride = strideOfFirstAxis();
        float[] out = Arrays.copyOfRange(data, i * stride, (i + 1) * stride);
        return new HostArray(out, Arrays.copyOfRange(shape, 1, shape.length));
    }

    /** Entry {@code j} along the second axis of every entry of the first, copied: {@code [n, a, ...]} to {@code [n, ...]}. */
    public HostArray sliceSecondAxis(int j) {
        int n = shape[0];
        int count = shape[1];
        int size = strideOfFirstAxis() / count;
        float[] out = new float[n * size];
        for (int i = 0; i < n; i++) {
            System.arraycopy(data, (i * count + j) * size, out, i * size, size);
        }
        int[] s = new int[shape.length - 1];
        s[0] = n;
        System.arraycopy(shape, 2, s, 1, shape.length - 2);
        return new HostArray(out, s);
    }

    /** Entries {@code [from, to)} along the first axis, copied. */
    public HostArray rows(int from, int to) {
        int stride = strideOfFirstAxis();
        int[] s = shape.clone();
        s[0] = to - from;
        return new HostArray(Arrays.copyOfRange(data, from * stride, to * stride), s);
    }

    /** The same data under another shape with the same element count (no copy). */
    public HostArray reshape(int... newShape) {
        return new HostArray(data, newShape);
    }

    /** Index of the first non-finite element, or -1 when all are finite. */
    public int firstNonFinite() {
        for (int i = 0; i < data.length; i++) {
            if (!Float.isFinite(data[i])) {
                return i;
            }
        }
        return -1;
    }

    /** How many elements are not finite. */
    public int countNonFinite() {
        int count = 0;
        for (float v : data) {
            count += Float.isFinite(v) ? 0 : 1;
        }
        return count;
    }

    /** A copy with {@code (x - mean) / std} applied element-wise. */
    public HostArray normalised(double mean, double std) {
        float[] out = new float[data.length];
        for (int i = 0; i < data.length; i++) {
            out[i] = (float) ((data[i] - mean) / std);
        }
        return new HostArray(out, shape);
    }

    /** A copy with {@code x * std + mean} applied element-wise (the inverse of {@link #normalised}). */
    public HostArray denormalised(double mean, double std) {
        float[] out = new float[data.length];
        for (int i = 0; i < data.length; i++) {
            out[i] = (float) (data[i] * std + mean);
        }
        return new HostArray(out, shape);
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }
}
