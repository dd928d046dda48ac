package dev.smdp4j.io;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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

    private Json() {
    }

    /**
     * The shared mapper. It is thread-safe for reading and writing; do not reconfigure it, since
     * every caller in the process shares it.
     */
    public static ObjectMapper mapper() {
        return MAPPER;
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
            throw new IllegalArgumentException("cannot serialise "
                    + (value == null ? "null" : value.getClass().getName()) + " to JSON: " + shortReason(e), e);
        }
        try {
            AtomicFiles.writeString(file, text);
        } catch (IOException e) {
            throw AtomicFiles.writeFailure(file, e);
        }
    }

    /** Jackson's message without its multi-line source excerpt, plus the line and column. */
    private static String shortReason(JsonProcessingException e) {
        String reason = e.getOriginalMessage() == null ? e.getClass().getSimpleName() : e.getOriginalMessage();
        // Nested locations ("for Array starting at [Source: ...; line: 1, column: 7]") shortened to line/column.
        reason = reason.replaceAll("\\[Source: [^\\]]*?line: (\\d+), column: (\\d+)\\]", "line $1, column $2")
                .replaceAll("\\s+", " ").trim();
        JsonLocation at = e.getLocation();
        if (at != null && at.getLineNr() > 0) {
            reason += " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
        }
        return reason;
    }
}
