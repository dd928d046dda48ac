package dev.smdp4j.io;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smdp4j.util.Hashing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * JSON sidecar files (run configurations, metrics, normalisation statistics) through one shared
 * Jackson {@link ObjectMapper} that indents its output.
 *
 * <p>Reading reports a missing or malformed file as an {@link InvalidInputException} naming the
 * file and Jackson's short reason; writing replaces the file atomically.
 */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            // "{...} junk" is a damaged file, not a valid document followed by noise.
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Binds parameters with no conversion a hand-written file could hide behind (see {@link #bindStrict}). */
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    private Json() {}

    /**
     * {@code values} (a parsed JSON object) bound to {@code type} strictly: a number is never read
     * from a string or a boolean, an integer never from a fraction, and a missing required or
     * primitive field is an error. Errors are {@link InvalidInputException}s naming the field.
     */
    public static <T> T bindStrict(Map<String, ?> values, Class<T> type) {
        try {
            return STRICT.convertValue(values, type);
        } catch (IllegalArgumentException e) {
            if (e.getCause() instanceof JsonMappingException m) {
                String field = m.getPath().stream()
                        .map(JsonMappingException.Reference::getFieldName)
                        .filter(java.util.Objects::nonNull)
                        .collect(java.util.stream.Collectors.joining("."));
                String reason = m.getOriginalMessage().replaceAll("\\s+", " ").trim();
                throw new InvalidInputException((field.isEmpty() ? "" : "'" + field + "': ") + reason, e);
            }
            throw new InvalidInputException(e.getMessage(), e);
        }
    }

    /**
     * The shared mapper. It is thread-safe for reading and writing; do not reconfigure it, since
     * every caller in the process shares it.
     */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** A JSON object as a mutable map in document order (nested objects become maps, arrays lists). */
    public static Map<String, Object> toMap(JsonNode object) {
        return MAPPER.convertValue(
                object,
                MAPPER.getTypeFactory().constructMapType(java.util.LinkedHashMap.class, String.class, Object.class));
    }

    /**
     * Reads and parses a JSON file.
     *
     * @throws InvalidInputException if the file is missing, unreadable, empty or malformed
     */
    public static JsonNode read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw AtomicFiles.readFailure(file, e);
        }
        try {
            JsonNode node = MAPPER.readTree(bytes);
            if (node == null || node.isMissingNode()) {
                throw new InvalidInputException(file + ": malformed JSON: the file is empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(file + ": malformed JSON: " + shortReason(e), e);
        } catch (IOException e) {
            throw AtomicFiles.readFailure(file, e);
        }
    }

    /**
     * Serialises {@code value} with the shared mapper and replaces {@code file} atomically; the
     * file ends with a newline.
     *
     * @throws IllegalArgumentException if Jackson cannot serialise {@code value} (a programming error)
     * @throws InvalidInputException if the file cannot be written
     */
    public static void write(Path file, Object value) {
        String text;
        try {
            text = MAPPER.writeValueAsString(value) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "cannot serialise "
                            + (value == null ? "null" : value.getClass().getName()) + " to JSON: " + shortReason(e),
                    e);
        }
        try {
            AtomicFiles.writeString(file, text);
        } catch (IOException e) {
            throw AtomicFiles.writeFailure(file, e);
        }
    }

    /** The field of a checked document that holds the SHA-256 of the rest of it. */
    public static final String CHECKSUM_FIELD = "content_sha256";

    /**
     * Like {@link #write}, for sidecars that are read back: the object gets a last field
     * {@value #CHECKSUM_FIELD}, the SHA-256 (hex) of the document without that field as this
     * mapper serialises it. The hash is taken of the re-parsed text, so that {@link #readChecked}
     * reproduces it exactly.
     *
     * @throws IllegalArgumentException if {@code value} is not a JSON object or uses the checksum field
     */
    public static void writeChecked(Path file, Object value) {
        ObjectNode canonical;
        try {
            JsonNode tree = MAPPER.valueToTree(value);
            if (!(tree instanceof ObjectNode) || tree.has(CHECKSUM_FIELD)) {
                throw new IllegalArgumentException(
                        "a checked JSON document must be an object without '" + CHECKSUM_FIELD + "'");
            }
            canonical = (ObjectNode) MAPPER.readTree(MAPPER.writeValueAsString(tree));
            canonical.put(CHECKSUM_FIELD, Hashing.sha256Hex(MAPPER.writeValueAsBytes(canonical)));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise to JSON: " + shortReason(e), e);
        }
        write(file, canonical);
    }

    /**
     * Reads a document written by {@link #writeChecked} and verifies its {@value #CHECKSUM_FIELD};
     * returns it without that field. A bit flip in a number or a name is an error, not a changed
     * parameter.
     *
     * @param required whether a missing checksum is an error (false only for legacy files)
     * @throws InvalidInputException if the file is unreadable or malformed, is not an object, lacks a
     *     required checksum, or its content does not match the checksum
     */
    public static ObjectNode readChecked(Path file, boolean required) {
        JsonNode node = read(file);
        if (!(node instanceof ObjectNode object)) {
            throw new InvalidInputException(file + ": expected a JSON object");
        }
        JsonNode recorded = object.remove(CHECKSUM_FIELD);
        if (recorded == null) {
            if (required) {
                throw new InvalidInputException(file + ": no '" + CHECKSUM_FIELD + "' field; the file is damaged "
                        + "or was not written by smdp4j");
            }
            return object;
        }
        String actual;
        try {
            actual = Hashing.sha256Hex(MAPPER.writeValueAsBytes(object));
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(file + ": malformed JSON: " + shortReason(e), e);
        }
        if (!recorded.isTextual() || !recorded.textValue().equals(actual)) {
            throw new InvalidInputException(
                    file + ": content does not match its " + CHECKSUM_FIELD + " (the file is corrupt or was edited)");
        }
        return object;
    }

    /**
     * The canonical JSON of {@code value} as Jackson binds it: one line, the fields of every object
     * sorted by name, so that equal values give equal text whatever the order of their maps; the
     * text cache keys are hashed from.
     *
     * @throws IllegalArgumentException if Jackson cannot serialise {@code value}
     */
    public static String canonical(Object value) {
        try {
            return MAPPER.writer()
                    .without(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(sorted(MAPPER.valueToTree(value)));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot serialise to JSON: " + shortReason(e), e);
        }
    }

    /** A copy of {@code node} with the fields of every object in name order. */
    private static JsonNode sorted(JsonNode node) {
        if (node instanceof ObjectNode object) {
            ObjectNode out = MAPPER.createObjectNode();
            new java.util.TreeMap<>(object.properties().stream()
                            .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)))
                    .forEach((k, v) -> out.set(k, sorted(v)));
            return out;
        }
        if (node instanceof ArrayNode array) {
            ArrayNode out = MAPPER.createArrayNode();
            array.forEach(v -> out.add(sorted(v)));
            return out;
        }
        return node;
    }

    /** Jackson's message without its multi-line source excerpt, plus the line and column. */
    private static String shortReason(JsonProcessingException e) {
        String reason = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        // Nested locations ("for Array starting at [Source: ...; line: 1, column: 7]") shortened to line/column.
        reason = reason.replaceAll("\\[Source: [^\\]]*?line: (\\d+), column: (\\d+)\\]", "line $1, column $2")
                .replaceAll("\\s+", " ")
                .trim();
        JsonLocation at = e.getLocation();
        if (at != null && at.getLineNr() > 0) {
            reason += " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
        }
        return reason;
    }
}
