package dev.smdp4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smdp4j.Version;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Checkpoint}: round trips, the self-description, and every kind of damage. */
class CheckpointTest {
    @TempDir
    Path dir;

    static Map<String, HostArray> tensors() {
        Map<String, HostArray> t = new LinkedHashMap<>();
        float[] w = new float[12];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) Math.sin(i) * 1e3f;
        }
        t.put("param/net/0/weight", new HostArray(w, 3, 4));
        t.put("param/net/0/bias", new HostArray(new float[] {1, -2, 3.5f}, 3));
        t.put("adam.m/net/0/weight", new HostArray(new float[] {-0f, Float.MIN_VALUE, Float.MAX_VALUE, 1e-30f}, 2, 2));
        t.put("adam.t", new HostArray(new float[] {1234}, 1));
        t.put("scalar", new HostArray(new float[] {42}));
        t.put("empty", HostArray.zeros(0, 5));
        return t;
    }

    static Map<String, Object> metadata() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", "smdp");
        m.put("step", 3000);
        m.put("config", Map.of("lr", 1e-4, "windows", List.of(1, 2, 4), "note", "heat, N=32"));
        m.put("nothing", null);
        return m;
    }

    static void assertSameTensors(Map<String, HostArray> expected, Map<String, HostArray> actual) {
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()));
        for (String key : expected.keySet()) {
            assertArrayEquals(expected.get(key).shape(), actual.get(key).shape(), key);
            assertArrayEquals(expected.get(key).data(), actual.get(key).data(), key); // bit-exact
        }
    }

    // ---------------------------------------------------------------- round trip

    @Test
    void roundTripKeepsMetadataTensorsAndTheirOrder() {
        Path file = dir.resolve("model.ckpt");
        Instant before = Instant.now().minusSeconds(1);
        Checkpoint.write(file, metadata(), tensors());
        Checkpoint read = Checkpoint.read(file);

        assertEquals(file, read.file());
        assertSameTensors(tensors(), read.tensors());
        JsonNode meta = read.metadata();
        assertEquals("smdp", meta.get("method").textValue());
        assertEquals(3000, meta.get("step").intValue());
        assertEquals(Json.mapper().valueToTree(metadata().get("config")), meta.get("config"));
        assertTrue(meta.get("nothing").isNull());
        assertEquals("smdp4j-checkpoint", meta.get("format").textValue());
        assertEquals(1, meta.get("format_version").intValue());
        assertEquals(Version.label(), meta.get("library").textValue());
        assertEquals(Version.commit(), meta.get("commit").textValue());
        Instant created = Instant.parse(meta.get("created").textValue());
        assertFalse(created.isBefore(before) || created.isAfter(Instant.now()));
        for (String key : tensors().keySet()) {
            assertTrue(meta.get("tensors").get(key).get("sha256").textValue().matches("[0-9a-f]{64}"), key);
        }
        assertEquals(
                "[3,4]",
                meta.get("tensors").get("param/net/0/weight").get("shape").toString());
    }

    @Test
    void isAPlainZipOfNpyFilesAndJson() throws IOException {
        Path file = dir.resolve("model.ckpt");
        Checkpoint.write(file, metadata(), tensors());
        try (ZipFile zip = new ZipFile(file.toFile())) {
            List<String> names = new ArrayList<>();
            Collections.list(zip.entries()).forEach(e -> names.add(e.getName()));
            assertTrue(names.contains("checkpoint.json"));
            for (Map.Entry<String, HostArray> t : tensors().entrySet()) {
                ZipEntry entry = zip.getEntry("tensors/" + t.getKey() + ".npy");
                try (InputStream in = zip.getInputStream(entry)) {
                    assertArrayEquals(
                            t.getValue().data(), Npy.read(in, t.getKey()).data());
                }
            }
            assertEquals(tensors().size() + 1, names.size());
            try (InputStream in = zip.getInputStream(zip.getEntry("checkpoint.json"))) {
                assertEquals(
                        "smdp4j-checkpoint",
                        Json.mapper().readTree(in).get("format").textValue());
            }
        }
    }

    @Test
    void metadataIsACopy() {
        Path file = dir.resolve("model.ckpt");
        Checkpoint.write(file, metadata(), tensors());
        Checkpoint read = Checkpoint.read(file);
        ((ObjectNode) read.metadata()).put("method", "changed");
        assertEquals("smdp", read.metadata().get("method").textValue());
    }

    @ParameterizedTest
    @ValueSource(strings = {"format", "format_version", "library", "created", "tensors"})
    void reservedMetadataKeysAreRejected(String key) {
        Map<String, Object> meta = new LinkedHashMap<>(metadata());
        meta.put(key, 1);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> Checkpoint.write(dir.resolve("x.ckpt"), meta, tensors()));
        assertTrue(e.getMessage().contains("'" + key + "' is reserved"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("x.ckpt")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/abs", "trailing/", "a//b", "../up", "a/./b", "a/..", "back\\slash", "nul\0"})
    void unsafeKeysAreRejected(String key) {
        Map<String, HostArray> t = Map.of(key, HostArray.zeros(1));
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.write(dir.resolve("x.ckpt"), Map.of(), t));
        assertFalse(Files.exists(dir.resolve("x.ckpt")));
    }

    // ---------------------------------------------------------------- damage

    @Test
    void everyTruncationIsReportedWithTheFileName() throws IOException {
        Path good = dir.resolve("good.ckpt");
        Checkpoint.write(good, metadata(), tensors());
        byte[] bytes = Files.readAllBytes(good);
        Path cut = dir.resolve("cut.ckpt");
        for (int length = 0; length < bytes.length; length++) {
            Files.write(cut, Arrays.copyOf(bytes, length));
            assertInvalid(cut, "truncated to " + length + " of " + bytes.length + " bytes");
        }
    }

    @Test
    void singleBitFlipsAreReportedOrHarmless() throws IOException {
        Path good = dir.resolve("good.ckpt");
        Checkpoint.write(good, metadata(), tensors());
        Checkpoint original = Checkpoint.read(good);
        byte[] bytes = Files.readAllBytes(good);
        Path flipped = dir.resolve("flipped.ckpt");
        Random random = new Random(20240611);
        int harmless = 0;
        for (int c = 0; c < 300; c++) {
            int offset = random.nextInt(bytes.length);
            int bit = random.nextInt(8);
            byte[] damaged = bytes.clone();
            damaged[offset] ^= (byte) (1 << bit);
            Files.write(flipped, damaged);
            String label = "bit " + bit + " of byte " + offset + " of " + bytes.length;
            Checkpoint read;
            try {
                read = Checkpoint.read(flipped);
            } catch (InvalidInputException e) {
                assertTrue(e.getMessage().contains(flipped.toString()), label + ": " + e.getMessage());
                continue;
            } catch (RuntimeException | Error e) {
                throw new AssertionError(label + ": " + e, e);
            }
            // Only bytes the reader does not use (timestamps, local-header copies of names, data
            // descriptors) may change without an error, and then the result must be the original.
            harmless++;
            assertEquals(original.metadata(), read.metadata(), label);
            assertSameTensors(original.tensors(), read.tensors());
        }
        // A sanity bound: about a third of the bytes are headers the reader does not use.
        assertTrue(harmless < 200, harmless + " of 300 flips went unnoticed; most bytes carry meaning");
    }

    @Test
    void notAZipOrMissing() throws IOException {
        Path empty = Files.write(dir.resolve("empty.ckpt"), new byte[0]);
        assertInvalid(empty, "empty file");
        Path text = Files.writeString(dir.resolve("text.ckpt"), "{\"format\": \"smdp4j-checkpoint\"}");
        assertInvalid(text, "JSON instead of a zip");
        Path npz = dir.resolve("arrays.npz");
        dev.smdp4j.io.Npz.write(npz, Map.of("a", HostArray.zeros(2)));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Checkpoint.read(npz));
        assertTrue(e.getMessage().contains(npz + ": not an smdp4j checkpoint (no checkpoint.json"), e.getMessage());
        Path missing = dir.resolve("missing.ckpt");
        e = assertThrows(InvalidInputException.class, () -> Checkpoint.read(missing));
        assertEquals("file not found: " + missing, e.getMessage());
        assertInvalid(dir, "a directory");
    }

    @Test
    void newerFormatVersionSaysWhichVersionsThisBuildReads() throws IOException {
        Path file = rewrite(json -> json.put("format_version", 2), entries -> {});
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Checkpoint.read(file));
        assertTrue(
                e.getMessage().contains(file.toString())
                        && e.getMessage().contains("format version 2 is newer")
                        && e.getMessage().contains("reads format version 1"),
                e.getMessage());
    }

    @Test
    void semanticProblemsAreNamed() throws IOException {
        assertProblem(rewrite(json -> json.put("format", "something-else"), e -> {}), "not an smdp4j checkpoint");
        assertProblem(rewrite(json -> json.remove("format"), e -> {}), "format is missing");
        assertProblem(rewrite(json -> json.put("format_version", "1"), e -> {}), "invalid format_version");
        assertProblem(rewrite(json -> json.put("format_version", 0), e -> {}), "invalid format_version");
        assertProblem(rewrite(json -> json.remove("tensors"), e -> {}), "'tensors' must be an object");
        assertProblem(
                rewrite(json -> {}, e -> e.remove("tensors/param/net/0/bias.npy")),
                "tensor 'param/net/0/bias' is listed in checkpoint.json but the archive has no entry");
        assertProblem(
                rewrite(json -> {}, e -> e.put("tensors/stray.npy", Npy.toBytes(HostArray.zeros(1)))),
                "unexpected entry 'tensors/stray.npy'");
        assertProblem(
                rewrite(json -> {}, e -> e.put("README", "hi".getBytes(StandardCharsets.UTF_8))),
                "unexpected entry 'README'");
        assertProblem(rewrite(json -> {}, e -> e.remove("checkpoint.json")), "no checkpoint.json");
        // Valid zip CRCs but other data: only the recorded SHA-256 can notice.
        assertProblem(
                rewrite(
                        json -> {},
                        e -> e.put(
                                "tensors/param/net/0/bias.npy",
                                Npy.toBytes(new HostArray(new float[] {1, -2, 3.25f}, 3)))),
                "SHA-256 mismatch");
        assertProblem(
                rewrite(
                        json -> ((ObjectNode) json.get("tensors").get("scalar"))
                                .putArray("shape")
                                .add(1),
                        e -> {}),
                "shape [] differs from [1]");
        assertProblem(
                rewrite(json -> ((ObjectNode) json.get("tensors").get("scalar")).put("sha256", "abc"), e -> {}),
                "'sha256' (64 lowercase hex digits)");
        assertProblem(
                rewrite(
                        json -> ((ObjectNode) json.get("tensors"))
                                .set("../evil", json.get("tensors").get("scalar")),
                        e -> {}),
                "invalid tensor key '../evil'");
        assertProblem(
                rewrite(json -> {}, e -> e.put("checkpoint.json", "[1, 2]".getBytes(StandardCharsets.UTF_8))),
                "expected a JSON object");
        assertProblem(
                rewrite(json -> {}, e -> e.put("checkpoint.json", "{\"a\": ".getBytes(StandardCharsets.UTF_8))),
                "malformed JSON");
        assertProblem(
                rewrite(json -> {}, e -> e.put("tensors/scalar.npy", "not npy".getBytes(StandardCharsets.UTF_8))),
                "not a .npy file");
    }

    @Test
    void aFailingWriteLeavesThePreviousCheckpointByteIdentical() throws IOException {
        Path file = dir.resolve("model.ckpt");
        Checkpoint.write(file, metadata(), tensors());
        byte[] previous = Files.readAllBytes(file);

        assertThrows(
                IllegalArgumentException.class,
                () -> Checkpoint.write(file, Map.of("unserialisable", new Object()), tensors()));
        assertUnchanged(file, previous);

        // A tensor map that breaks during its n-th traversal, for every traversal the writer
        // makes: before the temporary file exists and while the archive is being written.
        int failures = 0;
        for (int n = 1; ; n++) {
            try {
                Checkpoint.write(file, metadata(), new FailingMap(tensors(), n));
                break;
            } catch (IllegalStateException expected) {
                assertEquals("simulated failure", expected.getMessage());
                assertUnchanged(file, previous);
                failures++;
            }
        }
        assertTrue(failures >= 2, "the writer traverses the tensors at least twice: to check and to write");
        assertSameTensors(tensors(), Checkpoint.read(file).tensors()); // the successful attempt
    }

    // ---------------------------------------------------------------- helpers

    private void assertUnchanged(Path file, byte[] previous) throws IOException {
        assertArrayEquals(previous, Files.readAllBytes(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "temporary files left behind");
        }
    }

    private static void assertInvalid(Path file, String label) {
        try {
            Checkpoint.read(file);
            fail(label + ": read without error");
        } catch (InvalidInputException e) {
            assertTrue(e.getMessage().contains(file.toString()), label + ": " + e.getMessage());
        } catch (RuntimeException | Error e) {
            throw new AssertionError(label + ": " + e, e);
        }
    }

    private static void assertProblem(Path file, String fragment) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Checkpoint.read(file));
        assertTrue(e.getMessage().startsWith(file.toString()) && e.getMessage().contains(fragment), e.getMessage());
    }

    private int rewrites;

    /**
     * A valid checkpoint, re-zipped (with correct CRCs) after editing its JSON and its entries,
     * so that only the checkpoint's own checks can object.
     */
    private Path rewrite(Consumer<ObjectNode> editJson, Consumer<Map<String, byte[]>> editEntries) throws IOException {
        Path source = dir.resolve("source.ckpt");
        Checkpoint.write(source, metadata(), tensors());
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(source.toFile())) {
            for (ZipEntry e : Collections.list(zip.entries())) {
                try (InputStream in = zip.getInputStream(e)) {
                    entries.put(e.getName(), in.readAllBytes());
                }
            }
        }
        ObjectNode json = (ObjectNode) Json.mapper().readTree(entries.get("checkpoint.json"));
        editJson.accept(json);
        entries.put("checkpoint.json", Json.mapper().writeValueAsBytes(json));
        editEntries.accept(entries);
        Path out = dir.resolve("rewritten-" + (rewrites++) + ".ckpt");
        try (OutputStream os = Files.newOutputStream(out);
                ZipOutputStream zip = new ZipOutputStream(os)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                new ByteArrayInputStream(e.getValue()).transferTo(zip);
                zip.closeEntry();
            }
        }
        return out;
    }

    /** A map whose {@code n}-th traversal fails after its first entry. */
    private static final class FailingMap extends AbstractMap<String, HostArray> {
        private final Map<String, HostArray> delegate;
        private final int failOn;
        private int traversals;

        FailingMap(Map<String, HostArray> delegate, int failOn) {
            this.delegate = delegate;
            this.failOn = failOn;
        }

        @Override
        public Set<Entry<String, HostArray>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<Entry<String, HostArray>> iterator() {
                    Iterator<Entry<String, HostArray>> it = delegate.entrySet().iterator();
                    boolean fail = ++traversals == failOn;
                    return new Iterator<>() {
                        private int given;

                        @Override
                        public boolean hasNext() {
                            return it.hasNext();
                        }

                        @Override
                        public Entry<String, HostArray> next() {
                            if (fail && given++ == 1) {
                                throw new IllegalStateException("simulated failure");
                            }
                            return it.next();
                        }
                    };
                }

                @Override
                public int size() {
                    return delegate.size();
                }
            };
        }
    }
}
