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
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Reads and writes NumPy {@code .npy} files.
 *
 * <p>Reading accepts format versions 1.0, 2.0 and 3.0 holding float32 or float64 data in either
 * byte order and either memory order; float64 is rounded to float32 (as numpy's
 * {@code astype(np.float32)} does) and Fortran order is transposed to C order. Every other dtype,
 * and every malformed, truncated or oversized file, is rejected with an
 * {@link InvalidInputException} whose message names the file and the problem. The header is
 * parsed as the small subset of Python literal syntax that numpy writes; it is never evaluated.
 *
 * <p>Writing produces little-endian float32 in C order, format 1.0 (2.0 only if the header would
 * not fit), byte-identical to what {@code np.save} writes for the same array.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** numpy pads the header so the data starts on a 64-byte boundary. */
    private static final int ARRAY_ALIGN = 64;
    /** numpy leaves room in the header for the growth axis to reach this many digits. */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;
    /** Far above any float array's header (a few hundred bytes); guards against corrupt lengths. */
    static final int MAX_HEADER_BYTES = 1 << 20;
    /** The largest Java array the JVM reliably allocates. */
    private static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    /** I/O chunk; a multiple of every item size. */
    private static final int CHUNK_BYTES = 1 << 16;
    /** Initial capacity when reading data, so a lying header cannot force a huge allocation. */
    private static final int INITIAL_ELEMENTS = 1 << 16;

    private Npy() {
    }

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
        Header header = readHeader(in, name);
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
        return readHeader(in, name).shape().clone();
    }

    private record Header(Dtype dtype, boolean fortranOrder, int[] shape, int count) {
        long dataBytes() {
            return (long) count * dtype.size();
        }
    }

    private record Dtype(int size, ByteOrder order) {
        static Dtype parse(Object descr, String name) {
            if (descr instanceof String s && s.length() == 3) {
                ByteOrder order = byteOrder(s.charAt(0));
                String kind = s.substring(1);
                if (order != null && (kind.equals("f4") || kind.equals("f8"))) {
                    return new Dtype(kind.equals("f4") ? 4 : 8, order);
                }
            }
            throw bad(name, "unsupported dtype " + Literal.repr(descr)
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

    private static Header readHeader(InputStream in, String name) throws IOException {
        int version = readMagicAndVersion(in, name);
        int lengthBytes = version == 1 ? 2 : 4;
        long headerLength = littleEndianUnsigned(readFully(in, lengthBytes, name, "header length"));
        if (headerLength > MAX_HEADER_BYTES) {
            throw bad(name, "header length " + headerLength + " exceeds the limit of " + MAX_HEADER_BYTES
                    + " bytes; the file is corrupt");
        }
        byte[] raw = readFully(in, (int) headerLength, name, "header");
        // Versions 1.0 and 2.0 store the header as latin-1, version 3.0 as UTF-8.
        String text = version == 3 ? decodeUtf8(raw, name) : new String(raw, StandardCharsets.ISO_8859_1);
        return interpret(Literal.parse(text, name), name);
    }

    /** Checks the magic string and returns the major version (1, 2 or 3). */
    private static int readMagicAndVersion(InputStream in, String name) throws IOException {
        byte[] prefix = in.readNBytes(MAGIC.length + 2);
        int compared = Math.min(prefix.length, MAGIC.length);
        if (prefix.length == 0 || !Arrays.equals(prefix, 0, compared, MAGIC, 0, compared)) {
            throw bad(name, prefix.length == 0 ? "not a .npy file (it is empty)"
                    : "not a .npy file (bad magic string)");
        }
        if (prefix.length < MAGIC.length + 2) {
            throw truncated(name, "preamble", MAGIC.length + 2, prefix.length);
        }
        int major = prefix[6] & 0xFF;
        int minor = prefix[7] & 0xFF;
        if (major < 1 || major > 3 || minor != 0) {
            throw bad(name, "unsupported .npy format version " + major + "." + minor
                    + " (1.0, 2.0 and 3.0 are supported)");
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
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw bad(name, "the .npy header is not valid UTF-8");
        }
    }

    private static final Set<String> HEADER_KEYS = Set.of("descr", "fortran_order", "shape");

    /** Checks the header dictionary against numpy's rules: exactly the three keys, well typed. */
    private static Header interpret(Object literal, String name) {
        if (!(literal instanceof Map<?, ?> dict)) {
            throw bad(name, "the .npy header is not a dictionary but " + Literal.repr(literal));
        }
        for (Object key : dict.keySet()) {
            if (!HEADER_KEYS.contains(key)) {
                throw bad(name, "unexpected key " + Literal.repr(key) + " in the .npy header");
            }
        }
        for (String key : List.of("descr", "fortran_order", "shape")) {
            if (!dict.containsKey(key)) {
                throw bad(name, "the .npy header has no '" + key + "' key");
            }
        }
        Dtype dtype = Dtype.parse(dict.get("descr"), name);
        if (!(dict.get("fortran_order") instanceof Boolean fortranOrder)) {
            throw bad(name, "'fortran_order' must be True or False, found " + Literal.repr(dict.get("fortran_order")));
        }
        int[] shape = shape(dict.get("shape"), name);
        return new Header(dtype, fortranOrder, shape, elementCount(shape, name));
    }

    private static int[] shape(Object value, String name) {
        if (!(value instanceof Literal.Tuple tuple)) {
            throw bad(name, "'shape' must be a tuple of integers, found " + Literal.repr(value));
        }
        int[] shape = new int[tuple.items().size()];
        for (int i = 0; i < shape.length; i++) {
            Object item = tuple.items().get(i);
            if (!(item instanceof Long dim)) {
                throw bad(name, "'shape' must be a tuple of integers, found " + Literal.repr(value));
            }
            if (dim < 0) {
                throw bad(name, "negative dimension " + dim + " in shape " + Literal.repr(value));
            }
            if (dim > MAX_ELEMENTS) {
                throw bad(name, "dimension " + dim + " in shape " + Literal.repr(value) + " is too large");
            }
            shape[i] = (int) (long) dim;
        }
        return shape;
    }

    private static int elementCount(int[] shape, String name) {
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
            throw bad(name, "shape " + Arrays.toString(shape) + " has more elements than one array can hold ("
                    + MAX_ELEMENTS + ")");
        }
        return (int) count;
    }

    /**
     * Reads and converts the data. The output grows as bytes actually arrive, so a corrupt header
     * claiming billions of elements fails as "truncated" instead of exhausting memory.
     */
    private static float[] readData(InputStream in, Header header, String name) throws IOException {
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
                throw truncated(name, "data", header.dataBytes(), (long) filled * size + got);
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

    private static void requireEnd(InputStream in, Header header, String name) throws IOException {
        if (in.read() != -1) {
            long extra = 1 + in.transferTo(OutputStream.nullOutputStream());
            throw bad(name, extra + " unexpected bytes after the " + header.dataBytes()
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

    private static InvalidInputException bad(String name, String problem) {
        return new InvalidInputException(name + ": " + problem);
    }

    private static InvalidInputException truncated(String name, String part, long expected, long found) {
        return bad(name, "truncated .npy file: the " + part + " needs " + expected + " bytes, found " + found);
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
        out.write(header(array.shape()));
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
        if (length > MAX_ELEMENTS) {
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
        return header(array.shape()).length + (long) Float.BYTES * array.size();
    }

    /** Magic, version, length and the padded dictionary, laid out exactly as numpy does. */
    static byte[] header(int[] shape) {
        StringBuilder dict = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': ")
                .append(shapeRepr(shape)).append(", }");
        if (shape.length > 0) {
            dict.append(" ".repeat(GROWTH_AXIS_MAX_DIGITS - Integer.toString(shape[0]).length()));
        }
        byte[] text = dict.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] header = wrapHeader(text, 1);
        return header != null ? header : wrapHeader(text, 2);
    }

    /** The header in the given version, or null if its length does not fit version 1.0's two bytes. */
    private static byte[] wrapHeader(byte[] text, int version) {
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

    // ---------------------------------------------------------------- header syntax

    /**
     * A parser for the Python literals that may appear in a {@code .npy} header: dicts, tuples,
     * lists, strings, integers, {@code True}, {@code False} and {@code None}. Values become
     * {@link Map} (insertion-ordered), {@link Tuple}, {@link List}, {@link String}, {@link Long},
     * {@link Boolean} and {@code null}.
     */
    private static final class Literal {
        /** Deep enough for any structured dtype; shallow enough that the recursion cannot overflow. */
        private static final int MAX_DEPTH = 32;

        private final String text;
        private final String name;
        private int pos;

        /** A Python tuple, kept apart from lists because numpy requires the shape to be a tuple. */
        record Tuple(List<Object> items) {
        }

        private Literal(String text, String name) {
            this.text = text;
            this.name = name;
        }

        static Object parse(String text, String name) {
            Literal parser = new Literal(text, name);
            parser.skipSpace();
            Object value = parser.value(0);
            parser.skipSpace();
            if (parser.pos < text.length()) {
                throw parser.error("unexpected " + parser.describeNext() + " after the dictionary");
            }
            return value;
        }

        private Object value(int depth) {
            if (depth > MAX_DEPTH) {
                throw error("values nested too deeply");
            }
            char c = peek();
            if (c == '{') {
                return dict(depth);
            } else if (c == '(') {
                return sequence(depth, ')');
            } else if (c == '[') {
                return sequence(depth, ']');
            } else if (c == '\'' || c == '"') {
                return string();
            } else if (c == '-' || c == '+' || isDigit(c)) {
                return integer();
            } else if (Character.isLetter(c)) {
                return keyword();
            }
            throw error("unexpected " + describeNext());
        }

        private Map<String, Object> dict(int depth) {
            Map<String, Object> dict = new LinkedHashMap<>();
            pos++; // '{'
            skipSpace();
            while (peek() != '}') {
                int keyAt = pos;
                if (!(value(depth + 1) instanceof String key)) {
                    pos = keyAt;
                    throw error("dictionary keys must be strings");
                }
                skipSpace();
                expect(':');
                skipSpace();
                Object value = value(depth + 1);
                if (dict.containsKey(key)) {
                    pos = keyAt;
                    throw error("duplicate key " + repr(key));
                }
                dict.put(key, value);
                if (!separator('}')) {
                    break;
                }
            }
            expect('}');
            return dict;
        }

        /** A tuple or list; as in Python, {@code (x)} is just x while {@code (x,)} is a tuple. */
        private Object sequence(int depth, char close) {
            List<Object> items = new ArrayList<>();
            boolean sawComma = false;
            pos++; // '(' or '['
            skipSpace();
            while (peek() != close) {
                items.add(value(depth + 1));
                boolean comma = separator(close);
                sawComma |= comma;
                if (!comma) {
                    break;
                }
            }
            expect(close);
            if (close == ']') {
                return items;
            }
            return items.size() == 1 && !sawComma ? items.get(0) : new Tuple(items);
        }

        /** After an item: consumes an optional comma and spaces; false if the sequence must end here. */
        private boolean separator(char close) {
            skipSpace();
            if (pos < text.length() && text.charAt(pos) == ',') {
                pos++;
                skipSpace();
                return true;
            }
            if (pos < text.length() && text.charAt(pos) == close) {
                return false;
            }
            throw error("expected ',' or '" + close + "' but found " + describeNext());
        }

        private String string() {
            char quote = text.charAt(pos++);
            StringBuilder out = new StringBuilder();
            while (true) {
                if (pos >= text.length() || text.charAt(pos) == '\n') {
                    throw error("unterminated string");
                }
                char c = text.charAt(pos++);
                if (c == quote) {
                    return out.toString();
                }
                out.append(c == '\\' ? escape() : c);
            }
        }

        private char escape() {
            char c = pos < text.length() ? text.charAt(pos++) : '\0';
            return switch (c) {
                case '\\', '\'', '"' -> c;
                case 'n' -> '\n';
                case 't' -> '\t';
                case 'r' -> '\r';
                default -> {
                    pos--;
                    throw error("unsupported escape sequence in string");
                }
            };
        }

        private Long integer() {
            int start = pos;
            boolean negative = text.charAt(pos) == '-';
            if (text.charAt(pos) == '-' || text.charAt(pos) == '+') {
                pos++;
            }
            int digitsStart = pos;
            while (pos < text.length() && isDigit(text.charAt(pos))) {
                pos++;
            }
            String digits = text.substring(digitsStart, pos);
            if (digits.isEmpty()) {
                throw error("expected digits but found " + describeNext());
            }
            if (digits.length() > 1 && digits.charAt(0) == '0') {
                pos = start;
                throw error("leading zeros are not allowed in integers"); // as in Python 3
            }
            if (pos < text.length() && (text.charAt(pos) == 'L' || text.charAt(pos) == 'l')) {
                pos++; // Python 2 long suffix, written by old numpy versions
            }
            try {
                long magnitude = Long.parseLong(digits);
                return negative ? -magnitude : magnitude;
            } catch (NumberFormatException e) {
                pos = start;
                throw error("integer " + digits + " is too large");
            }
        }

        private Boolean keyword() {
            int start = pos;
            while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
                pos++;
            }
            String word = text.substring(start, pos);
            switch (word) {
                case "True":
                    return Boolean.TRUE;
                case "False":
                    return Boolean.FALSE;
                case "None":
                    return null;
                default:
                    pos = start;
                    throw error("unknown name '" + printable(word) + "'");
            }
        }

        private char peek() {
            if (pos >= text.length()) {
                throw error("unexpected end of header");
            }
            return text.charAt(pos);
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error("expected '" + c + "' but found " + describeNext());
            }
            pos++;
        }

        private void skipSpace() {
            while (pos < text.length() && " \t\n\r\f".indexOf(text.charAt(pos)) >= 0) {
                pos++;
            }
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private String describeNext() {
            if (pos >= text.length()) {
                return "the end of the header";
            }
            char c = text.charAt(pos);
            return c == '\'' ? "\"'\"" : "'" + printable(String.valueOf(c)) + "'";
        }

        private InvalidInputException error(String problem) {
            return bad(name, "malformed .npy header at character " + pos + ": " + problem);
        }

        /** Keeps messages on one line whatever bytes a corrupt header holds. */
        private static String printable(String s) {
            StringBuilder out = new StringBuilder();
            for (char c : s.toCharArray()) {
                out.append(c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\x%02x", (int) c));
            }
            return out.toString();
        }

        /** Python-like rendering of a parsed value, for messages. */
        static String repr(Object value) {
            if (value == null) {
                return "None";
            } else if (value instanceof String s) {
                return "'" + printable(s) + "'";
            } else if (value instanceof Boolean b) {
                return b ? "True" : "False";
            } else if (value instanceof Tuple t) {
                return t.items().size() == 1 ? "(" + repr(t.items().get(0)) + ",)" : join(t.items(), "(", ")");
            } else if (value instanceof List<?> list) {
                return join(list, "[", "]");
            } else if (value instanceof Map<?, ?> map) {
                StringJoiner joiner = new StringJoiner(", ", "{", "}");
                map.forEach((k, v) -> joiner.add(repr(k) + ": " + repr(v)));
                return joiner.toString();
            }
            return String.valueOf(value);
        }

        private static String join(List<?> items, String open, String close) {
            StringJoiner joiner = new StringJoiner(", ", open, close);
            items.forEach(item -> joiner.add(repr(item)));
            return joiner.toString();
        }
    }
}
