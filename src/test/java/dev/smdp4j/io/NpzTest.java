package dev.smdp4j.io;

import static dev.smdp4j.io.NpyTest.assertSameFloats;
import static dev.smdp4j.io.NpyTest.fixture;
import static dev.smdp4j.io.NpyTest.toFloats;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Npz} against archives written by np.savez / np.savez_compressed, numpy itself, and corruption. */
class NpzTest {
    @TempDir
    Path dir;

    /** make_fixtures.npz_arrays()["u"]: shape (2, 4, 4). */
    static float[] expectedU() {
        float[] u = new float[32];
        for (int i = 0; i < u.length; i++) {
            u[i] = (float) (i * 0.25 - 3);
        }
        u[31] = 6.02e23f;
        return u;
    }

    /** make_fixtures.npz_arrays()["t"]: float64, shape (3,). */
    static float[] expectedT() {
        return toFloats(1e-30, -3.25e7, 0.1);
    }

    // ---------------------------------------------------------------- numpy fixtures

    @ParameterizedTest
    @ValueSource(strings = {"arrays.npz", "arrays_compressed.npz"})
    void readsStoredAndDeflatedArchivesFromNumpy(String name) {
        Map<String, HostArray> arrays = Npz.read(fixture(name));
        assertEquals(List.of("u", "t"), new ArrayList<>(arrays.keySet()));
        assertArrayEquals(new int[] {2, 4, 4}, arrays.get("u").shape());
        assertSameFloats(expectedU(), arrays.get("u").data());
        assertArrayEquals(new int[] {3}, arrays.get("t").shape());
        assertSameFloats(expectedT(), arrays.get("t").data());
    }

    @ParameterizedTest
    @ValueSource(strings = {"arrays.npz", "arrays_compressed.npz"})
    void readsOneKey(String name) {
        assertSameFloats(expectedT(), Npz.read(fixture(name), "t").data());
        assertSameFloats(expectedU(), Npz.read(fixture(name), "u").data());
    }

    @Test
    void missingKeyListsTheKeysPresent() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Npz.read(fixture("arrays.npz"), "v"));
        assertTrue(
                e.getMessage().contains("arrays.npz")
                        && e.getMessage().contains("'v'")
                        && e.getMessage().contains("[u, t]"),
                e.getMessage());
    }

    // ---------------------------------------------------------------- round trip

    private static Map<String, HostArray> sample() {
        Map<String, HostArray> arrays = new LinkedHashMap<>();
        arrays.put("u", new HostArray(expectedU(), 2, 4, 4));
        arrays.put("extremes", new HostArray(new float[] {-0.0f, Float.MIN_VALUE, Float.MAX_VALUE, -1e-30f}, 4));
        arrays.put("scalar", new HostArray(new float[] {2.5f}));
        arrays.put("empty", new HostArray(new float[0], 0, 3));
        return arrays;
    }

    @Test
    void roundTripsThroughOurReaderAndIsDeterministic() throws IOException {
        Path a = dir.resolve("a.npz");
        Path b = dir.resolve("b.npz");
        Npz.write(a, sample());
        Npz.write(b, sample());
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b), "same arrays must give the same bytes");

        Map<String, HostArray> back = Npz.read(a);
        assertEquals(new ArrayList<>(sample().keySet()), new ArrayList<>(back.keySet()));
        sample().forEach((key, expected) -> {
            assertArrayEquals(expected.shape(), back.get(key).shape(), key);
            assertSameFloats(expected.data(), back.get(key).data());
        });
    }

    @Test
    void writesAnEmptyArchive() {
        Path file = dir.resolve("none.npz");
        Npz.write(file, Map.of());
        assertTrue(Npz.read(file).isEmpty());
    }

    @Test
    void overwritesAtomicallyLeavingNoTemporaryFiles() throws IOException {
        Path file = dir.resolve("out.npz");
        Npz.write(file, Map.of("x", new HostArray(new float[] {1}, 1)));
        Npz.write(file, sample());
        assertEquals(4, Npz.read(file).size());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void rejectsInvalidKeys() {
        assertThrows(
                IllegalArgumentException.class,
                () -> Npz.write(dir.resolve("k.npz"), Map.of("", new HostArray(new float[] {1}, 1))));
    }

    @Test
    void numpyReadsWhatWeWrite() throws Exception {
        assumeTrue(pythonWithNumpy(), "python3 with numpy is not available");
        Path file = dir.resolve("for numpy.npz");
        Npz.write(file, sample());
        String script = String.join(
                "\n",
                "import json, sys",
                "import numpy as np",
                "with np.load(sys.argv[1]) as z:",
                "    print(json.dumps([[k, str(z[k].dtype), list(z[k].shape), z[k].ravel().tolist()] for k in z.files]))");
        JsonNode out = Json.mapper().readTree(run("python3", "-c", script, file.toString()));

        List<String> keys = new ArrayList<>(sample().keySet());
        assertEquals(keys.size(), out.size());
        for (int i = 0; i < keys.size(); i++) {
            HostArray expected = sample().get(keys.get(i));
            JsonNode entry = out.get(i);
            assertEquals(keys.get(i), entry.get(0).asText());
            assertEquals("float32", entry.get(1).asText());
            assertArrayEquals(expected.shape(), ints(entry.get(2)));
            float[] values = new float[entry.get(3).size()];
            for (int j = 0; j < values.length; j++) {
                values[j] = (float) entry.get(3).get(j).asDouble(); // exact: float32 -> Python float -> repr
            }
            assertSameFloats(expected.data(), values);
        }
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    private static boolean pythonWithNumpy() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import numpy")
                    .redirectErrorStream(true)
                    .start();
            p.getInputStream().transferTo(OutputStream.nullOutputStream());
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python timed out");
        assertEquals(0, p.exitValue(), output);
        return output;
    }

    // ---------------------------------------------------------------- corrupt files

    @ParameterizedTest
    @ValueSource(strings = {"arrays.npz", "arrays_compressed.npz"})
    void truncationAtEveryOffsetIsRejected(String name) throws IOException {
        byte[] full = Files.readAllBytes(fixture(name));
        for (int length = 0; length < full.length; length++) {
            Path file = dir.resolve("cut" + length + ".npz");
            Files.write(file, Arrays.copyOf(full, length));
            assertRejected(() -> Npz.read(file), file);
            assertRejected(() -> Npz.read(file, "u"), file);
            Files.delete(file);
        }
    }

    /**
     * Flips every bit of the archive. Each result must be an {@link InvalidInputException} naming
     * the file, or the original arrays: the CRC-32 catches damaged data, and fields that the
     * central directory duplicates (the local header's name, sizes, times) are legitimately
     * ignored. Entry names carry no checksum, so a flip there may rename a key; the values must
     * still be intact.
     */
    @ParameterizedTest
    @ValueSource(strings = {"arrays.npz", "arrays_compressed.npz"})
    void everyBitFlipIsRejectedOrHarmless(String name) throws IOException {
        byte[] full = Files.readAllBytes(fixture(name));
        List<float[]> original = List.of(expectedU(), expectedT());
        for (int i = 0; i < full.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] flipped = full.clone();
                flipped[i] ^= (byte) (1 << bit);
                Path file = dir.resolve("flip-" + i + "-" + bit + ".npz");
                Files.write(file, flipped);
                Map<String, HostArray> arrays = assertRejectedOrRead(file);
                if (arrays != null) {
                    List<HostArray> values = new ArrayList<>(arrays.values());
                    assertEquals(original.size(), values.size(), "byte " + i + " bit " + bit);
                    for (int k = 0; k < values.size(); k++) {
                        assertSameFloats(original.get(k), values.get(k).data());
                    }
                }
                Files.delete(file);
            }
        }
    }

    @Test
    void corruptStoredDataIsReportedAsChecksumMismatch() throws IOException {
        byte[] full = Files.readAllBytes(fixture("arrays.npz"));
        // The last byte of u's data: the 6.02e23 element, well inside the stored entry.
        int at = indexOf(full, "u.npy".getBytes(StandardCharsets.US_ASCII)) + 5 + 20 + 256 - 1;
        full[at] ^= 1;
        Path file = dir.resolve("crc.npz");
        Files.write(file, full);
        InvalidInputException e = assertRejected(() -> Npz.read(file), file);
        assertTrue(e.getMessage().contains("CRC-32 mismatch") && e.getMessage().contains("u.npy"), e.getMessage());
    }

    @Test
    void notAZipIsRejected() throws IOException {
        Path npy = dir.resolve("really-an-npy.npz");
        Files.copy(fixture("f4_c.npy"), npy);
        assertTrue(assertRejected(() -> Npz.read(npy), npy).getMessage().contains("not a valid .npz file"));
        Path empty = Files.createFile(dir.resolve("empty.npz"));
        assertRejected(() -> Npz.read(empty), empty);
    }

    @Test
    void missingFileIsReported() {
        Path missing = dir.resolve("missing.npz");
        assertEquals(
                "file not found: " + missing,
                assertThrows(InvalidInputException.class, () -> Npz.read(missing))
                        .getMessage());
        assertEquals(
                "file not found: " + missing,
                assertThrows(InvalidInputException.class, () -> Npz.read(missing, "u"))
                        .getMessage());
    }

    @Test
    void entriesThatAreNotFloatArraysAreRejected() throws IOException {
        Path foreign = dir.resolve("foreign.npz");
        writeZip(foreign, "notes.txt", "hello".getBytes(StandardCharsets.US_ASCII));
        assertTrue(assertRejected(() -> Npz.read(foreign), foreign).getMessage().contains("'notes.txt'"));

        Path ints = dir.resolve("ints.npz");
        writeZip(ints, "i.npy", Files.readAllBytes(fixture("i4.npy")));
        InvalidInputException e = assertRejected(() -> Npz.read(ints), ints);
        assertTrue(e.getMessage().contains("'i.npy'") && e.getMessage().contains("'<i4'"), e.getMessage());
    }

    private static void writeZip(Path file, String entry, byte[] content) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            zip.putNextEntry(new ZipEntry(entry));
            zip.write(content);
            zip.closeEntry();
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }

    /** Runs {@code read}; it must throw an InvalidInputException naming the file, and nothing else. */
    private static InvalidInputException assertRejected(Runnable read, Path file) {
        try {
            read.run();
        } catch (InvalidInputException e) {
            assertTrue(e.getMessage().contains(file.getFileName().toString()), e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), "message must be one line: " + e.getMessage());
            return e;
        } catch (RuntimeException | Error e) {
            fail(file.getFileName() + ": expected InvalidInputException but got " + e, e);
        }
        return fail(file.getFileName() + " was accepted");
    }

    /** The arrays if the file reads, null if it is rejected properly; any other outcome fails. */
    private static Map<String, HostArray> assertRejectedOrRead(Path file) {
        try {
            return Npz.read(file);
        } catch (InvalidInputException e) {
            assertTrue(e.getMessage().contains(file.getFileName().toString()), e.getMessage());
            return null;
        } catch (RuntimeException | Error e) {
            return fail(file.getFileName() + ": expected InvalidInputException but got " + e, e);
        }
    }
}
