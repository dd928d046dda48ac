package dev.smdp4j.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads and writes NumPy {@code .npy} files.
 *
 * <p>Reading accepts format versions 1.0, 2.0 and 3.0 holding float32 or float64 data in either
 * byte order and either memory order; float64 is rounded to float32 (as numpy's
 * {@code astype(np.float32)} does) and Fortran order is transposed to C order. Every other dtype,
 * and every malformed, truncated or oversized file, is rejected with an
 * {@link InvalidInputException} whose message names the file and the problem. The header is
 * read strictly in the form numpy writes it (see {@link NpyHeader}); it is never evaluated.
 *
 * <p>Writing produces little-endian float32 in C order, format 1.0 (2.0 only if the header would
 * not fit), byte-identical to what {@code np.save} writes for the same array.
 */
public final class Npy {
    /** I/O chunk; a multiple of every item size. */
    private static final int CHUNK_BYTES = 1 << 16;
    /** Initial capacity when reading data, so a lying header cannot force a huge allocation. */
    private static final int INITIAL_ELEMENTS = 1 << 16;

    private Npy() {}

    // ---------------------------------------------------------------- reading

    /**
     * Reads a {@code .npy} file.
     *
     * @throws InvalidInputException if the file is missing, unreadable, malformed, truncated or
     *     holds an unsupported dtype
     */
    public static HostArray read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (IOException e) {
            throw AtomicFiles.readFailure(file, e);
        }
    }

    /**
     * Reads one array from a stream that holds exactly one {@code .npy} file; bytes after the
     * array's data are an error. The stream is read to its end but not closed.
     *
     * @param name names the source in error messages, e.g. the file name
     * @throws InvalidInputException if the content is malformed, truncated or unsupported
     * @throws IOException if the stream itself fails
     */
    public static HostArray read(InputStream in, String name) throws IOException {
        NpyHeader header = NpyHeader.read(in, name);
        float[] data = readData(in, header, name);
        requireEnd(in, header, name);
        if (header.fortranOrder()) {
            data = fortranToC(data, header.shape());
        }
        return new HostArray(data, header.shape());
    }

    /**
     * Reads only the header of a {@code .npy} stream and returns the array's shape (the dtype is
     * checked as {@link #read(InputStream, String)} does); the data are not read.
     *
     * @throws InvalidInputException if the header is malformed or the dtype unsupported
     */
    public static int[] readShape(InputStream in, String name) throws IOException {
        return NpyHeader.read(in, name).shape().clone();
    }

    /**
     * Reads and converts the data. The output grows as bytes actually arrive, so a corrupt header
     * claiming billions of elements fails as "truncated" instead of exhausting memory.
     */
    private static float[] readData(InputStream in, NpyHeader header, String name) throws IOException {
        int count = header.count();
        int size = header.dtype().size();
        byte[] chunk = new byte[CHUNK_BYTES];
        ByteBuffer bytes = ByteBuffer.wrap(chunk).order(header.dtype().order());
        float[] out = new float[Math.min(count, INITIAL_ELEMENTS)];
        int filled = 0;
        while (filled < count) {
            int items = Math.min(count - filled, CHUNK_BYTES / size);
            int got = in.readNBytes(chunk, 0, items * size);
            if (got < items * size) {
                throw NpyHeader.truncated(name, "data", header.dataBytes(), (long) filled * size + got);
            }
            if (filled + items > out.length) {
                out = Arrays.copyOf(out, (int) Math.min(count, Math.max(filled + items, 2L * out.length)));
            }
            decode(bytes, size, items, out, filled);
            filled += items;
        }
        return out;
    }

    private static void decode(ByteBuffer bytes, int size, int items, float[] out, int offset) {
        if (size == 4) {
            bytes.asFloatBuffer().get(out, offset, items);
        } else {
            DoubleBuffer doubles = bytes.asDoubleBuffer();
            for (int i = 0; i < items; i++) {
                out[offset + i] = (float) doubles.get(i);
            }
        }
    }

    private static void requireEnd(InputStream in, NpyHeader header, String name) throws IOException {
        if (in.read() != -1) {
            long extra = 1 + in.transferTo(OutputStream.nullOutputStream());
            throw NpyHeader.bad(
                    name,
                    extra + " unexpected bytes after the " + header.dataBytes()
                            + " data bytes that the header describes; the file is corrupt");
        }
    }

    /** In Fortran order the first index varies fastest; walk C order and gather from there. */
    private static float[] fortranToC(float[] fortran, int[] shape) {
        int rank = shape.length;
        if (rank < 2 || fortran.length == 0) {
            return fortran;
        }
        int[] stride = new int[rank];
        stride[0] = 1;
        for (int k = 1; k < rank; k++) {
            stride[k] = stride[k - 1] * shape[k - 1];
        }
        float[] c = new float[fortran.length];
        int[] index = new int[rank];
        int offset = 0;
        for (int i = 0; i < c.length; i++) {
            c[i] = fortran[offset];
            for (int k = rank - 1; k >= 0; k--) { // odometer: last axis fastest
                offset += stride[k];
                if (++index[k] < shape[k]) {
                    break;
                }
                offset -= stride[k] * shape[k];
                index[k] = 0;
            }
        }
        return c;
    }

    // ---------------------------------------------------------------- writing

    /** Writes {@code array} to {@code file} atomically (see {@link AtomicFiles}). */
    public static void write(Path file, HostArray array) {
        try {
            AtomicFiles.write(file, out -> write(out, array));
        } catch (IOException e) {
            throw AtomicFiles.writeFailure(file, e);
        }
    }

    /** Writes {@code array} as a little-endian float32 {@code .npy} in C order; does not close {@code out}. */
    public static void write(OutputStream out, HostArray array) throws IOException {
        out.write(NpyHeader.encode(array.shape()));
        float[] data = array.data();
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer floats = chunk.asFloatBuffer();
        int perChunk = CHUNK_BYTES / Float.BYTES;
        for (int from = 0; from < data.length; from += perChunk) {
            int n = Math.min(perChunk, data.length - from);
            floats.clear();
            floats.put(data, from, n);
            out.write(chunk.array(), 0, n * Float.BYTES);
        }
    }

    /** The complete {@code .npy} file for {@code array}. */
    public static byte[] toBytes(HostArray array) {
        long length = encodedLength(array);
        if (length > NpyHeader.MAX_ELEMENTS) {
            throw new IllegalArgumentException("array of shape " + array.shapeString()
                    + " is too large for one byte array; write it to a stream instead");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) length);
        try {
            write(out, array);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream never fails
        }
        return out.toByteArray();
    }

    /** Size in bytes of the {@code .npy} file that {@link #write(OutputStream, HostArray)} produces. */
    static long encodedLength(HostArray array) {
        return NpyHeader.encode(array.shape()).length + (long) Float.BYTES * array.size();
    }
}
