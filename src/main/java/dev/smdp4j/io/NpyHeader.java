package dev.smdp4j.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.StringJoiner;

/**
 * The header of a {@code .npy} file: the magic string, the format version, the header length and
 * the dictionary that describes the array, read and written exactly as numpy does.
 *
 * <p>numpy writes the dictionary as {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }},
 * padded with spaces and ending with a newline. The reader accepts that form strictly: the three
 * keys, a dtype string, a boolean and a tuple of integers (see {@link NpyHeaderParser}); the text is
 * never evaluated.
 *
 * @param dtype the element type and byte order
 * @param fortranOrder whether the first index varies fastest in the data
 * @param shape the array's shape
 * @param count the number of elements, the product of the shape
 */
record NpyHeader(NpyHeader.Dtype dtype, boolean fortranOrder, int[] shape, int count) {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** numpy pads the header so the data starts on a 64-byte boundary. */
    private static final int ARRAY_ALIGN = 64;
    /** numpy leaves room in the header for the growth axis to reach this many digits. */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;
    /** Far above any float array's header (a few hundred bytes); guards against corrupt lengths. */
    static final int MAX_HEADER_BYTES = 1 << 20;
    /** The largest Java array the JVM reliably allocates. */
    static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    /** Size in bytes of the data that the header describes. */
    long dataBytes() {
        return (long) count * dtype.size();
    }

    /** A float dtype: its item size (4 or 8) and byte order. */
    record Dtype(int size, ByteOrder order) {
        static Dtype parse(String descr, String name) {
            if (descr.length() == 3) {
                ByteOrder order = byteOrder(descr.charAt(0));
                String kind = descr.substring(1);
                if (order != null && (kind.equals("f4") || kind.equals("f8"))) {
                    return new Dtype(kind.equals("f4") ? 4 : 8, order);
                }
            }
            throw unsupported("'" + printable(descr) + "'", name);
        }

        static InvalidInputException unsupported(String descr, String name) {
            return bad(
                    name,
                    "unsupported dtype " + descr
                            + "; only float32 and float64 ('<f4', '>f4', '<f8', '>f8') can be read");
        }

        private static ByteOrder byteOrder(char c) {
            return switch (c) {
                case '<' -> ByteOrder.LITTLE_ENDIAN;
                case '>' -> ByteOrder.BIG_ENDIAN;
                case '=' -> ByteOrder.nativeOrder();
                default -> null;
            };
        }
    }

    // ---------------------------------------------------------------- reading

    /** Reads the preamble and the header from {@code in}, leaving the stream at the first data byte. */
    static NpyHeader read(InputStream in, String name) throws IOException {
        int version = readMagicAndVersion(in, name);
        int lengthBytes = version == 1 ? 2 : 4;
        long headerLength = littleEndianUnsigned(readFully(in, lengthBytes, name, "header length"));
        if (headerLength > MAX_HEADER_BYTES) {
            throw bad(
                    name,
                    "header length " + headerLength + " exceeds the limit of " + MAX_HEADER_BYTES
                            + " bytes; the file is corrupt");
        }
        byte[] raw = readFully(in, (int) headerLength, name, "header");
        // Versions 1.0 and 2.0 store the header as latin-1, version 3.0 as UTF-8.
        String text = version == 3 ? decodeUtf8(raw, name) : new String(raw, StandardCharsets.ISO_8859_1);
        return new NpyHeaderParser(text, name).header();
    }

    /** Checks the magic string and returns the major version (1, 2 or 3). */
    private static int readMagicAndVersion(InputStream in, String name) throws IOException {
        byte[] prefix = in.readNBytes(MAGIC.length + 2);
        int compared = Math.min(prefix.length, MAGIC.length);
        if (prefix.length == 0 || !Arrays.equals(prefix, 0, compared, MAGIC, 0, compared)) {
            throw bad(
                    name, prefix.length == 0 ? "not a .npy file (it is empty)" : "not a .npy file (bad magic string)");
        }
        if (prefix.length < MAGIC.length + 2) {
            throw truncated(name, "preamble", MAGIC.length + 2, prefix.length);
        }
        int major = prefix[6] & 0xFF;
        int minor = prefix[7] & 0xFF;
        if (major < 1 || major > 3 || minor != 0) {
            throw bad(
                    name,
                    "unsupported .npy format version " + major + "." + minor + " (1.0, 2.0 and 3.0 are supported)");
        }
        return major;
    }

    private static byte[] readFully(InputStream in, int length, String name, String what) throws IOException {
        byte[] bytes = in.readNBytes(length);
        if (bytes.length < length) {
            throw truncated(name, what, length, bytes.length);
        }
        return bytes;
    }

    private static long littleEndianUnsigned(byte[] bytes) {
        long value = 0;
        for (int i = bytes.length - 1; i >= 0; i--) {
            value = (value << 8) | (bytes[i] & 0xFF);
        }
        return value;
    }

    private static String decodeUtf8(byte[] raw, String name) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(ByteBuffer.wrap(raw))
                    .toString();
        } catch (CharacterCodingException e) {
            throw bad(name, "the .npy header is not valid UTF-8");
        }
    }

    static int elementCount(int[] shape, String name) {
        long count = 1;
        for (int dim : shape) {
            if (dim == 0) {
                return 0; // an empty array, however large its other dimensions
            }
        }
        try {
            for (int dim : shape) {
                count = Math.multiplyExact(count, dim);
            }
        } catch (ArithmeticException overflow) {
            count = Long.MAX_VALUE;
        }
        if (count > MAX_ELEMENTS) {
            throw bad(
                    name,
                    "shape " + Arrays.toString(shape) + " has more elements than one array can hold (" + MAX_ELEMENTS
                            + ")");
        }
        return (int) count;
    }

    static InvalidInputException bad(String name, String problem) {
        return new InvalidInputException(name + ": " + problem);
    }

    static InvalidInputException truncated(String name, String part, long expected, long found) {
        return bad(name, "truncated .npy file: the " + part + " needs " + expected + " bytes, found " + found);
    }

    /** Keeps messages on one line whatever bytes a corrupt header holds. */
    static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            out.append(c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return out.toString();
    }

    // ---------------------------------------------------------------- writing

    /** Magic, version, length and the padded dictionary of a little-endian float32 array in C order. */
    static byte[] encode(int[] shape) {
        StringBuilder dict = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': ")
                .append(shapeRepr(shape))
                .append(", }");
        if (shape.length > 0) {
            dict.append(" "
                    .repeat(GROWTH_AXIS_MAX_DIGITS - Integer.toString(shape[0]).length()));
        }
        byte[] text = dict.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] header = wrap(text, 1);
        return header != null ? header : wrap(text, 2);
    }

    /** The header in the given version, or null if its length does not fit version 1.0's two bytes. */
    private static byte[] wrap(byte[] text, int version) {
        int lengthBytes = version == 1 ? 2 : 4;
        int prefix = MAGIC.length + 2 + lengthBytes;
        int withNewline = text.length + 1;
        int padding = ARRAY_ALIGN - (prefix + withNewline) % ARRAY_ALIGN;
        int headerLength = withNewline + padding;
        if (version == 1 && headerLength > 0xFFFF) {
            return null;
        }
        ByteBuffer out = ByteBuffer.allocate(prefix + headerLength).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) version).put((byte) 0);
        if (version == 1) {
            out.putShort((short) headerLength);
        } else {
            out.putInt(headerLength);
        }
        out.put(text);
        for (int i = 0; i < padding; i++) {
            out.put((byte) ' ');
        }
        out.put((byte) '\n');
        return out.array();
    }

    /** Python's repr of a shape tuple: {@code ()}, {@code (3,)}, {@code (2, 3, 4)}. */
    private static String shapeRepr(int[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        StringJoiner joiner = new StringJoiner(", ", "(", ")");
        for (int dim : shape) {
            joiner.add(Integer.toString(dim));
        }
        return joiner.toString();
    }
}
