package dev.smdp4j.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smdp4j.Version;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * A self-describing checkpoint: one zip file holding {@value #METADATA_ENTRY} and one
 * {@code tensors/KEY.npy} per tensor (keys may contain {@code /}).
 *
 * <p>{@value #METADATA_ENTRY} is one JSON object: the caller's metadata (any JSON-able map) plus
 * the fields this class adds, {@code format} = {@value #FORMAT}, {@code format_version},
 * {@code library} (the writing smdp4j version), {@code created} (an ISO-8601 instant) and
 * {@code tensors}, which maps each key to its {@code shape} and the {@code sha256} of its
 * {@code .npy} bytes. Any zip tool and numpy can open the file.
 *
 * <p>Writing replaces the file atomically, so a failed or interrupted write leaves the previous
 * checkpoint intact. Reading validates everything before returning: the zip structure, every
 * entry's CRC-32 (the JDK's {@link ZipFile} does not check it), the format and its version, the
 * set of entries against the listed tensors, and every tensor's SHA-256 and shape. Any problem is
 * an {@link InvalidInputException} that names the file and the problem.
 */
public final class Checkpoint {
    /** The value of {@code format} in {@value #METADATA_ENTRY}. */
    public static final String FORMAT = "smdp4j-checkpoint";
    /** The format version this build writes, and the newest it reads. */
    public static final int FORMAT_VERSION = 1;
    /** The archive entry holding the metadata. */
    public static final String METADATA_ENTRY = "checkpoint.json";

    private static final String TENSOR_PREFIX = "tensors/";
    private static final String TENSOR_SUFFIX = ".npy";
    private static final String TENSORS_FIELD = "tensors";
    /** Metadata keys the file format writes itself. */
    public static final Set<String> RESERVED =
            Set.of("format", "format_version", "library", "commit", "created", TENSORS_FIELD);
    /** Far above any real metadata; bounds what a corrupt size can make us allocate. */
    private static final int MAX_METADATA_BYTES = 64 << 20;
    /** Entry timestamps are fixed: the time of writing is in {@code created}. */
    private static final LocalDateTime ZIP_EPOCH = LocalDateTime.of(1980, 1, 1, 0, 0);

    private final Path file;
    private final ObjectNode metadata;
    private final Map<String, HostArray> tensors;

    private Checkpoint(Path file, ObjectNode metadata, Map<String, HostArray> tensors) {
        this.file = file;
        this.metadata = metadata;
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /** The file this checkpoint was read from. */
    public Path file() {
        return file;
    }

    /** A copy of the whole {@value #METADATA_ENTRY}: the caller's fields and the added ones. */
    public JsonNode metadata() {
        return metadata.deepCopy();
    }

    /** Which build wrote this checkpoint, and when. */
    public Provenance provenance() {
        return Provenance.of(metadata);
    }

    /** Every tensor by key, in the order they were written. */
    public Map<String, HostArray> tensors() {
        return tensors;
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes a checkpoint, replacing {@code file} atomically.
     *
     * @param metadata JSON-able values (maps, lists, strings, numbers, booleans, null, records or
     *     beans); it must not use the reserved keys {@code format}, {@code format_version},
     *     {@code library}, {@code created} or {@code tensors}
     * @throws IllegalArgumentException if the metadata uses a reserved key or cannot be
     *     serialised, or a key is empty, contains {@code \}, a NUL or an empty, {@code .} or
     *     {@code ..} path segment, or a tensor is null
     * @throws InvalidInputException if the file cannot be written
     */
    public static void write(Path file, Map<String, ?> metadata, Map<String, HostArray> tensors) {
        ObjectNode document = header(metadata);
        for (Map.Entry<String, HostArray> e : tensors.entrySet()) {
            String problem = keyProblem(e.getKey());
            if (problem != null) {
                throw new IllegalArgumentException("invalid tensor key '" + e.getKey() + "': " + problem);
            }
            if (e.getValue() == null) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' is null");
            }
        }
        try {
            AtomicFiles.write(file, out -> writeZip(out, document, tensors));
        } catch (IOException e) {
            throw AtomicFiles.writeFailure(file, e);
        }
    }

    /** The reserved fields followed by the caller's; serialised now so that failures come first. */
    private static ObjectNode header(Map<String, ?> metadata) {
        for (String key : metadata.keySet()) {
            if (RESERVED.contains(key)) {
                throw new IllegalArgumentException(
                        "metadata key '" + key + "' is reserved; the reserved keys are " + RESERVED);
            }
        }
        ObjectNode document =
                Json.mapper().createObjectNode().put("format", FORMAT).put("format_version", FORMAT_VERSION);
        document.setAll((ObjectNode) Json.mapper().valueToTree(Provenance.now()));
        // valueToTree reports an unserialisable value as IllegalArgumentException.
        document.setAll((ObjectNode) Json.mapper().valueToTree(metadata));
        return document;
    }

    /**
     * Tensors first, each hashed as it is written, then the metadata with their hashes.
     *
     * <p>Entries are deflated at level 0 (stored blocks): unlike {@code STORED} entries, which must
     * declare size and CRC up front, deflated ones let the zip stream compute both as the data
     * passes, so each tensor is encoded once; and float data would barely compress anyway.
     */
    private static void writeZip(OutputStream out, ObjectNode document, Map<String, HostArray> tensors)
            throws IOException {
        ZipOutputStream zip = new ZipOutputStream(out);
        zip.setLevel(Deflater.NO_COMPRESSION);
        ObjectNode table = document.putObject(TENSORS_FIELD);
        for (Map.Entry<String, HostArray> e : tensors.entrySet()) {
            HostArray array = e.getValue();
            MessageDigest sha = sha256();
            zip.putNextEntry(entry(TENSOR_PREFIX + e.getKey() + TENSOR_SUFFIX));
            Npy.write(new DigestOutputStream(zip, sha), array); // Npy.write leaves the stream open
            zip.closeEntry();
            ObjectNode described = table.putObject(e.getKey());
            ArrayNode shape = described.putArray("shape");
            Arrays.stream(array.shape()).forEach(shape::add);
            described.put("sha256", HexFormat.of().formatHex(sha.digest()));
        }
        zip.putNextEntry(entry(METADATA_ENTRY));
        zip.write(Json.mapper().writeValueAsBytes(document));
        zip.write('\n');
        zip.closeEntry();
        zip.finish(); // not close: AtomicFiles owns the stream
    }

    private static ZipEntry entry(String name) {
        ZipEntry entry = new ZipEntry(name);
        entry.setTimeLocal(ZIP_EPOCH);
        return entry;
    }

    /** Why {@code key} cannot name a tensor, or null if it can. */
    private static String keyProblem(String key) {
        if (key == null || key.isEmpty()) {
            return "keys must not be empty";
        }
        if (key.indexOf('\0') >= 0 || key.indexOf('\\') >= 0) {
            return "keys must not contain NUL or '\\'";
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return "path segments between '/' must not be empty, '.' or '..'";
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- reading

    /**
     * Reads and validates a checkpoint.
     *
     * @throws InvalidInputException if the file is missing or unreadable, is not a valid
     *     checkpoint, has a newer format version than this build reads, or is corrupt in any way
     */
    public static Checkpoint read(Path file) {
        return Npz.withZip(file, "checkpoint", zip -> read(zip, file));
    }

    private static Checkpoint read(ZipFile zip, Path file) throws IOException {
        Map<String, ZipEntry> entries = new LinkedHashMap<>();
        for (ZipEntry entry : Collections.list(zip.entries())) {
            if (entries.put(entry.getName(), entry) != null) {
                throw new InvalidInputException(file + ": the archive holds entry '" + entry.getName() + "' twice");
            }
        }
        ZipEntry json = entries.remove(METADATA_ENTRY);
        if (json == null) {
            throw new InvalidInputException(file + ": not an smdp4j checkpoint (no " + METADATA_ENTRY + " entry)");
        }
        ObjectNode metadata = readMetadata(zip, json, file);
        Map<String, JsonNode> listed = listedTensors(metadata, file);
        Map<String, HostArray> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> t : listed.entrySet()) {
            String name = TENSOR_PREFIX + t.getKey() + TENSOR_SUFFIX;
            ZipEntry entry = entries.remove(name);
            if (entry == null) {
                throw new InvalidInputException(file + ": tensor '" + t.getKey() + "' is listed in " + METADATA_ENTRY
                        + " but the archive has no entry '" + name + "'");
            }
            tensors.put(t.getKey(), readTensor(zip, entry, t.getValue(), file));
        }
        if (!entries.isEmpty()) {
            throw new InvalidInputException(file + ": unexpected entry '"
                    + entries.keySet().iterator().next() + "' (not listed in " + METADATA_ENTRY + ")");
        }
        return new Checkpoint(file, metadata, tensors);
    }

    /** Reads, CRC-checks and parses the metadata, then checks the format and its version. */
    private static ObjectNode readMetadata(ZipFile zip, ZipEntry entry, Path file) throws IOException {
        String where = where(file, entry);
        byte[] bytes = Npz.readChecked(zip, entry, where, in -> {
            byte[] read = in.readNBytes(MAX_METADATA_BYTES + 1);
            if (read.length > MAX_METADATA_BYTES) {
                throw new InvalidInputException(
                        where + ": larger than the limit of " + MAX_METADATA_BYTES + " bytes; the file is corrupt");
            }
            return read;
        });
        JsonNode node;
        try {
            node = Json.mapper().readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(where + ": malformed JSON: " + reason(e), e);
        }
        if (!(node instanceof ObjectNode metadata)) {
            throw new InvalidInputException(where + ": expected a JSON object");
        }
        requireFormat(metadata, where);
        return metadata;
    }

    private static void requireFormat(ObjectNode metadata, String where) {
        JsonNode format = metadata.get("format");
        if (format == null || !format.isTextual() || !format.textValue().equals(FORMAT)) {
            throw new InvalidInputException(where + ": not an smdp4j checkpoint (format is "
                    + (format == null ? "missing" : format.toString()) + ", expected \"" + FORMAT + "\")");
        }
        JsonNode version = metadata.get("format_version");
        if (version == null
                || !version.isNumber()
                || !version.canConvertToExactIntegral()
                || !version.canConvertToLong()
                || version.longValue() < 1) {
            throw new InvalidInputException(where + ": invalid format_version "
                    + (version == null ? "(missing)" : version.toString()) + "; expected a whole number >= 1");
        }
        if (version.longValue() > FORMAT_VERSION) {
            throw new InvalidInputException(where + ": checkpoint format version " + version.longValue()
                    + " is newer than this build of smdp4j (" + Version.get() + ") can read; it reads format version "
                    + FORMAT_VERSION + ". Use a newer smdp4j");
        }
    }

    /** The {@code tensors} table: each key checked, each value an object (checked when read). */
    private static Map<String, JsonNode> listedTensors(ObjectNode metadata, Path file) {
        String where = file + " (entry '" + METADATA_ENTRY + "')";
        JsonNode table = metadata.get(TENSORS_FIELD);
        if (table == null || !table.isObject()) {
            throw new InvalidInputException(where + ": '" + TENSORS_FIELD + "' must be an object");
        }
        Map<String, JsonNode> listed = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = table.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> t = it.next();
            String problem = keyProblem(t.getKey());
            if (problem != null) {
                throw new InvalidInputException(where + ": invalid tensor key '" + t.getKey() + "': " + problem);
            }
            listed.put(t.getKey(), t.getValue());
        }
        return listed;
    }

    /**
     * Parses one tensor and checks its CRC-32, SHA-256 and shape. When parsing fails, the CRC is
     * still checked, so that corruption is reported as such rather than as a puzzling parse error.
     */
    private static HostArray readTensor(ZipFile zip, ZipEntry entry, JsonNode described, Path file) throws IOException {
        String where = where(file, entry);
        String expectedSha = described.path("sha256").asText("");
        JsonNode expectedShape = described.path("shape");
        if (!expectedSha.matches("[0-9a-f]{64}") || !expectedShape.isArray()) {
            throw new InvalidInputException(where + ": " + METADATA_ENTRY
                    + " must give this tensor's 'shape' (an array) and 'sha256' (64 lowercase hex digits)");
        }
        MessageDigest sha = sha256();
        HostArray array = Npz.readChecked(zip, entry, where, in -> Npy.read(new DigestInputStream(in, sha), where));
        if (!HexFormat.of().formatHex(sha.digest()).equals(expectedSha)) {
            throw new InvalidInputException(where + ": SHA-256 mismatch; the tensor data is corrupt");
        }
        if (!Json.mapper().valueToTree(array.shape()).equals(expectedShape)) {
            throw new InvalidInputException(where + ": shape " + array.shapeString() + " differs from " + expectedShape
                    + " in " + METADATA_ENTRY);
        }
        return array;
    }

    private static String where(Path file, ZipEntry entry) {
        return file + " (entry '" + entry.getName() + "')";
    }

    /** Jackson's one-line reason, without its multi-line source excerpt. */
    private static String reason(JsonProcessingException e) {
        String text = e.getOriginalMessage();
        return text == null || text.isBlank()
                ? e.getClass().getSimpleName()
                : text.replaceAll("\\s+", " ").trim();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
