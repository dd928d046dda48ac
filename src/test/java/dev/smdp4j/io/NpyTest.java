package dev.smdp4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Npy} against files written by real numpy (see fixtures/make_fixtures.py) and against corruption. */
class NpyTest {
    private static final int[] BASE_SHAPE = {2, 3, 4};

    @TempDir
    Path dir;

    /** The values of make_fixtures.base(), rounded to float32 as numpy's astype does. */
    static float[] expectedBase() {
        double[] v = new double[24];
        for (int i = 0; i < v.length; i++) {
            v[i] = i * 0.5 - 1;
        }
        v[1] = 1e-30; // [0, 0, 1]
        v[23] = -3.25e7; // [1, 2, 3]
        v[6] = 1.0 / 3.0; // [0, 1, 2]
        v[12] = 0.1; // [1, 0, 0]
        return toFloats(v);
    }

    static float[] toFloats(double... v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    static Path fixture(String name) {
        try {
            return Path.of(NpyTest.class.getResource("/fixtures/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing fixture " + name + "; run make_fixtures.py", e);
        }
    }

    /** Exact comparison, bit for bit, so that -0.0 and NaN payloads would also be caught. */
    static void assertSameFloats(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(
                    Float.floatToRawIntBits(expected[i]),
                    Float.floatToRawIntBits(actual[i]),
                    "element " + i + ": expected " + expected[i] + " but was " + actual[i]);
        }
    }

    // ---------------------------------------------------------------- numpy fixtures

    @ParameterizedTest
    @ValueSource(
            strings = {
                "f4_c.npy",
                "f8_c.npy",
                "f4_fortran.npy",
                "f8_fortran.npy",
                "f4_bigendian.npy",
                "f8_bigendian.npy",
                "f4_v2.npy",
                "f4_v3.npy"
            })
    void readsEveryNumpyVariantOfTheBaseArray(String name) {
        HostArray a = Npy.read(fixture(name));
        assertArrayEquals(BASE_SHAPE, a.shape());
        assertSameFloats(expectedBase(), a.data());
    }

    @Test
    void float64IsRoundedToNearestFloat32() {
        float[] data = Npy.read(fixture("f8_c.npy")).data();
        assertEquals((float) (1.0 / 3.0), data[6]);
        assertEquals(1e-30f, data[1]);
        assertEquals(-3.25e7f, data[23]);
    }

    @Test
    void readsZeroDimensionalArray() {
        HostArray a = Npy.read(fixture("scalar_0d.npy"));
        assertEquals(0, a.rank());
        assertSameFloats(new float[] {-7.125f}, a.data());
    }

    @Test
    void readsOneDimensionalArray() {
        HostArray a = Npy.read(fixture("vector_1d.npy"));
        assertArrayEquals(new int[] {3}, a.shape());
        assertSameFloats(new float[] {1.5f, -2.0f, 3.25f}, a.data());
    }

    @Test
    void rejectsInt32NamingTheDtype() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Npy.read(fixture("i4.npy")));
        assertTrue(e.getMessage().contains("'<i4'"), e.getMessage());
        assertTrue(e.getMessage().contains("i4.npy"), e.getMessage());
    }

    @Test
    void writerIsByteIdenticalToNpSave() throws IOException {
        HostArray a = Npy.read(fixture("f4_c.npy"));
        assertArrayEquals(Files.readAllBytes(fixture("f4_c.npy")), Npy.toBytes(a));
        HostArray v = Npy.read(fixture("vector_1d.npy"));
        assertArrayEquals(Files.readAllBytes(fixture("vector_1d.npy")), Npy.toBytes(v));
    }

    // ---------------------------------------------------------------- round trip

    @Test
    void roundTripsShapesIncludingScalarsAndEmptyArrays() throws IOException {
        HostArray[] arrays = {
            new HostArray(
                    new float[] {Float.NaN, Float.NEGATIVE_INFINITY, -0.0f, Float.MIN_VALUE, Float.MAX_VALUE, 1}, 2, 3),
            new HostArray(new float[] {42f}),
            new HostArray(new float[0], 0, 5),
            new HostArray(new float[] {1, 2, 3}, 3),
            new HostArray(ramp(2 * 3 * 4 * 5), 2, 3, 4, 5),
        };
        for (HostArray a : arrays) {
            byte[] bytes = Npy.toBytes(a);
            assertEquals(0, headerLength(bytes) % 64, "data must start on a 64-byte boundary");
            assertEquals('\n', bytes[headerLength(bytes) - 1]);
            HostArray back = Npy.read(new ByteArrayInputStream(bytes), "memory");
            assertArrayEquals(a.shape(), back.shape());
            assertSameFloats(a.data(), back.data());

            Path file = dir.resolve("a.npy");
            Npy.write(file, a);
            assertArrayEquals(bytes, Files.readAllBytes(file));
        }
    }

    @Test
    void largeArrayCrossesChunkBoundaries() throws IOException {
        HostArray a = new HostArray(ramp(100_003), 100_003);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Npy.write(out, a);
        assertSameFloats(
                a.data(),
                Npy.read(new ByteArrayInputStream(out.toByteArray()), "big").data());
    }

    private static float[] ramp(int n) {
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = i * 0.37f - 11f;
        }
        return f;
    }

    private static int headerLength(byte[] npy) {
        return 10 + ((npy[8] & 0xFF) | (npy[9] & 0xFF) << 8);
    }

    // ---------------------------------------------------------------- header syntax

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }",
                "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2,)}",
                "{'shape':(2,),'fortran_order':False,'descr':'<f4'}",
                "  {'descr': '<f4', 'fortran_order': False, 'shape': (2L,), }  \n",
                "{'descr': '=f4', 'fortran_order': True, 'shape': (2, ), }",
                "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }",
                "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1,), }",
            })
    void acceptsValidHeaderSpellings(String header) throws IOException {
        float[] values = {1.5f, -2.5f};
        HostArray a = Npy.read(new ByteArrayInputStream(npy(header, values)), "hand.npy");
        assertSameFloats(values, a.data());
    }

    /** Header dictionaries exactly as numpy 2.4 writes them, with the shape each describes. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }|2,3",
                "{'descr': '>f8', 'fortran_order': False, 'shape': (5,), }|5",
                "{'descr': '<f4', 'fortran_order': False, 'shape': (), }|",
                "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }|2,3",
                "{'descr': '<f4', 'fortran_order': False, 'shape': (0, 7), }|0,7",
                "{'descr': '<f4', 'fortran_order': False, 'shape': (1000000, 2), }|1000000,2",
            })
    void readsTheShapeOfHeadersAsNumpyWritesThem(String headerAndShape) throws IOException {
        String[] parts = headerAndShape.split("\\|", -1);
        int[] shape = parts[1].isEmpty()
                ? new int[0]
                : Arrays.stream(parts[1].split(",")).mapToInt(Integer::parseInt).toArray();
        for (int version : new int[] {1, 2, 3}) {
            byte[] file = npy(version, parts[0].getBytes(StandardCharsets.US_ASCII), new byte[0]);
            assertArrayEquals(shape, Npy.readShape(new ByteArrayInputStream(file), "np.npy"), parts[0]);
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}"
                        + "|h.npy: unexpected key 'x' in the .npy header",
                "{'descr': '<f4', 'shape': (2,)}|h.npy: the .npy header has no 'fortran_order' key",
                "{'descr': '<f4', 'fortran_order': False, 'descr': '<f4', 'shape': (2,)}"
                        + "|h.npy: malformed .npy header at character 41: duplicate key 'descr'",
                "{'descr': '<f4', 'fortran_order': False, 'shape': (2)}"
                        + "|h.npy: 'shape' must be a tuple of integers, found (2)",
                "{'descr': '<f4', 'fortran_order': False, 'shape': (2, None)}"
                        + "|h.npy: 'shape' must be a tuple of integers, found (2, None)",
                "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -3)}|h.npy: negative dimension -3 in shape (2, -3)",
                "{'descr': '<f4', 'fortran_order': None, 'shape': (2,)}"
                        + "|h.npy: 'fortran_order' must be True or False, found None",
                "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}"
                        + "|h.npy: unsupported dtype [('a', '<f4')]; only float32 and float64 ('<f4', '>f4', '<f8', '>f8') can be read",
                "{'descr': '<f\\x34', 'fortran_order': False, 'shape': (2,)}"
                        + "|h.npy: malformed .npy header at character 13: unsupported escape sequence in string",
                "['descr', '<f4']|h.npy: the .npy header is not a dictionary but ['descr', '<f4']",
                "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} x"
                        + "|h.npy: malformed .npy header at character 56: unexpected 'x' after the dictionary",
            })
    void rejectsHeadersOutsideNumpysFormWithAClearMessage(String headerAndMessage) {
        String[] parts = headerAndMessage.split("\\|");
        assertEquals(
                parts[1],
                assertRejected(npy(parts[0], new float[] {1, 2}), "h.npy").getMessage());
    }

    @Test
    void readsVersion2And3HeadersWrittenByHand() throws IOException {
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (), }";
        for (int version : new int[] {2, 3}) {
            byte[] file =
                    npy(version, header.getBytes(StandardCharsets.UTF_8), floatBytes(ByteOrder.LITTLE_ENDIAN, 9f));
            assertSameFloats(
                    new float[] {9f},
                    Npy.read(new ByteArrayInputStream(file), "v.npy").data());
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{'descr': '<f4', 'fortran_order': False}", // missing key
                "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", // extra key
                "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", // duplicate key
                "{'descr': '<f4', 'fortran_order': False, 'shape': (2)}", // an int, not a tuple
                "{'descr': '<f4', 'fortran_order': False, 'shape': [2]}", // a list, not a tuple
                "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,)}", // negative
                "{'descr': '<f4', 'fortran_order': False, 'shape': (2147483648,)}", // too large for int
                "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}", // too large for long
                "{'descr': '<f4', 'fortran_order': False, 'shape': (65536, 65536)}", // product too large
                "{'descr': '<f4', 'fortran_order': False, 'shape': (True, 2)}", // bool is no dimension
                "{'descr': '<f4', 'fortran_order': False, 'shape': (02,)}", // Python 3 rejects 02
                "{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}",
                "{'descr': '<i8', 'fortran_order': False, 'shape': (2,)}",
                "{'descr': '|u1', 'fortran_order': False, 'shape': (2,)}",
                "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}",
                "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } x",
                "{'descr': '<f4' 'fortran_order': False, 'shape': (2,)}",
                "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)",
                "{'descr': '<f4, 'fortran_order': False, 'shape': (2,)}",
                "{'descr': '<f4', 'fortran_order': false, 'shape': (2,)}",
                "{'descr': '<f4', 'fortran_order': __import__('os'), 'shape': (2,)}",
                "['descr', '<f4']",
                "",
                "((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((()"
                        + "))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))",
            })
    void rejectsInvalidHeaders(String header) {
        assertRejected(npy(header, new float[] {1.5f, -2.5f}), "hand.npy");
    }

    @Test
    void rejectsUnsupportedVersionAndOversizedHeaderLength() {
        byte[] good = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", new float[] {1, 2});
        for (int[] version : new int[][] {{0, 0}, {1, 1}, {4, 0}, {255, 0}}) {
            byte[] bad = good.clone();
            bad[6] = (byte) version[0];
            bad[7] = (byte) version[1];
            assertRejected(bad, "version.npy");
        }
        byte[] huge = npy(2, new byte[0], new byte[0]);
        ByteBuffer.wrap(huge, 8, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(0x7FFF_FFF0);
        assertTrue(assertRejected(huge, "huge.npy").getMessage().contains("exceeds the limit"));
    }

    @Test
    void rejectsHugeShapeWithoutAllocatingIt() {
        // Claims ~8 GB of float64 but holds 16 bytes: must fail as truncated, not with OutOfMemoryError.
        byte[] lying =
                npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000,), }", new float[] {1, 2, 3, 4});
        InvalidInputException e = assertRejected(lying, "lying.npy");
        assertTrue(e.getMessage().contains("8000000000") && e.getMessage().contains("16"), e.getMessage());
    }

    // ---------------------------------------------------------------- corrupt files

    @Test
    void truncationAtEveryOffsetIsRejectedWithByteCounts() throws IOException {
        byte[] full = Files.readAllBytes(fixture("f8_c.npy"));
        for (int length = 0; length < full.length; length++) {
            Path file = dir.resolve("cut" + length + ".npy");
            Files.write(file, Arrays.copyOf(full, length));
            InvalidInputException e =
                    assertThrows(InvalidInputException.class, () -> Npy.read(file), "length " + length);
            assertTrue(e.getMessage().contains(file.getFileName().toString()), e.getMessage());
            if (length > headerLength(full)) {
                assertTrue(
                        e.getMessage().endsWith("the data needs 192 bytes, found " + (length - 128)), e.getMessage());
            }
        }
    }

    @Test
    void trailingBytesAreRejected() throws IOException {
        byte[] full = Files.readAllBytes(fixture("f4_c.npy"));
        Path file = dir.resolve("long.npy");
        Files.write(file, Arrays.copyOf(full, full.length + 3));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Npy.read(file));
        assertTrue(
                e.getMessage().contains("long.npy") && e.getMessage().contains("3 unexpected bytes"), e.getMessage());
    }

    /**
     * Every single-bit flip in the header must be rejected or be harmless. The .npy format has no
     * checksum, so two kinds of flip legitimately give valid files that numpy reads too: a flip
     * that yields an equivalent header (e.g. the trailing ',' becoming a form feed, which Python
     * treats as white space), and a flip of the byte-order character ('<' to '=' or '>').
     */
    @Test
    void everyHeaderBitFlipIsRejectedOrHarmless() throws IOException {
        byte[] full = Files.readAllBytes(fixture("f4_c.npy"));
        int byteOrderAt = new String(full, StandardCharsets.ISO_8859_1).indexOf("'<f4'") + 1;
        for (int i = 0; i < headerLength(full); i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] flipped = full.clone();
                flipped[i] ^= (byte) (1 << bit);
                Path file = dir.resolve("flip.npy");
                Files.write(file, flipped);
                try {
                    HostArray a = Npy.read(file);
                    char order = (char) flipped[i];
                    boolean byteOrder = i == byteOrderAt && (order == '=' || order == '>');
                    boolean same = Arrays.equals(BASE_SHAPE, a.shape()) && Arrays.equals(expectedBase(), a.data());
                    assertTrue(byteOrder || same, "flip of bit " + bit + " at byte " + i + " changed the array");
                } catch (InvalidInputException e) {
                    assertTrue(e.getMessage().contains("flip.npy"), e.getMessage());
                    assertTrue(!e.getMessage().contains("\n"), "message must be one line: " + e.getMessage());
                }
            }
        }
    }

    @Test
    void wrongMagicAndEmptyFileAreRejected() throws IOException {
        byte[] full = Files.readAllBytes(fixture("f4_c.npy"));
        full[1] = 'X';
        Path file = dir.resolve("magic.npy");
        Files.write(file, full);
        assertTrue(assertThrows(InvalidInputException.class, () -> Npy.read(file))
                .getMessage()
                .contains("magic.npy: not a .npy file"));
        Path empty = Files.createFile(dir.resolve("empty.npy"));
        assertTrue(assertThrows(InvalidInputException.class, () -> Npy.read(empty))
                .getMessage()
                .contains("empty.npy: not a .npy file (it is empty)"));
    }

    @Test
    void missingFileAndDirectoryAreRejected() {
        Path missing = dir.resolve("nope.npy");
        assertEquals(
                "file not found: " + missing,
                assertThrows(InvalidInputException.class, () -> Npy.read(missing))
                        .getMessage());
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Npy.read(dir));
        assertTrue(e.getMessage().startsWith("cannot read " + dir), e.getMessage());
    }

    @Test
    void writeIntoMissingDirectoryIsReported() {
        Path target = dir.resolve("no/such/dir/a.npy");
        InvalidInputException e =
                assertThrows(InvalidInputException.class, () -> Npy.write(target, new HostArray(new float[] {1}, 1)));
        assertTrue(e.getMessage().contains("a.npy") && e.getMessage().contains("does not exist"), e.getMessage());
    }

    // ---------------------------------------------------------------- helpers

    private static InvalidInputException assertRejected(byte[] bytes, String name) {
        try {
            Npy.read(new ByteArrayInputStream(bytes), name);
        } catch (InvalidInputException e) {
            assertTrue(e.getMessage().startsWith(name + ": "), e.getMessage());
            return e;
        } catch (IOException | RuntimeException | Error e) {
            fail("expected InvalidInputException but got " + e, e);
        }
        return fail("accepted an invalid file");
    }

    /** A version 1.0 file with the given header text (padded like numpy) and little-endian float32 data. */
    static byte[] npy(String header, float[] values) {
        return npy(1, header.getBytes(StandardCharsets.ISO_8859_1), floatBytes(ByteOrder.LITTLE_ENDIAN, values));
    }

    static byte[] npy(int version, byte[] header, byte[] data) {
        int prefix = version == 1 ? 10 : 12;
        int padding = 63 - (prefix + header.length) % 64;
        int length = header.length + padding + 1;
        ByteBuffer b = ByteBuffer.allocate(prefix + length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) version, 0});
        if (version == 1) {
            b.putShort((short) length);
        } else {
            b.putInt(length);
        }
        b.put(header)
                .put(" ".repeat(padding).getBytes(StandardCharsets.US_ASCII))
                .put((byte) '\n')
                .put(data);
        return b.array();
    }

    static byte[] floatBytes(ByteOrder order, float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(order);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }
}
