package dev.smdp4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Json} sidecars: round trip, atomic replacement and one-line errors. */
class JsonTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsIndentedWithTrailingNewline() throws IOException {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("mean", 0.25);
        value.put("shape", List.of(2, 32, 32));
        value.put("name", "heat");
        Path file = dir.resolve("stats.json");
        Json.write(file, value);

        String text = Files.readString(file);
        assertTrue(text.contains("\n  \"mean\""), "indented: " + text);
        assertTrue(text.endsWith("}\n"), text);
        JsonNode node = Json.read(file);
        assertEquals(0.25, node.get("mean").asDouble());
        assertEquals(32, node.get("shape").get(2).asInt());
        assertEquals("heat", node.get("name").asText());
    }

    @Test
    void overwritesExistingFile() {
        Path file = dir.resolve("a.json");
        Json.write(file, Map.of("v", 1));
        Json.write(file, Map.of("v", 2));
        assertEquals(2, Json.read(file).get("v").asInt());
    }

    @Test
    void missingFileIsReported() {
        Path file = dir.resolve("none.json");
        assertEquals(
                "file not found: " + file,
                assertThrows(InvalidInputException.class, () -> Json.read(file)).getMessage());
    }

    @Test
    void malformedEmptyAndTrailingGarbageAreReportedOnOneLine() throws IOException {
        for (String text : new String[] {"{\"a\": }", "", "{\"a\": 1} extra", "{\"a\": [1, 2}", "\n\n{'a': 1}"}) {
            Path file = Files.writeString(dir.resolve("bad.json"), text);
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> Json.read(file), text);
            assertTrue(e.getMessage().startsWith(file + ": malformed JSON: "), e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        }
    }

    @Test
    void writeIntoMissingDirectoryIsReported() {
        Path file = dir.resolve("nowhere/x.json");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Json.write(file, Map.of()));
        assertTrue(e.getMessage().contains("x.json") && e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void unserialisableValueIsAProgrammingError() {
        assertThrows(IllegalArgumentException.class, () -> Json.write(dir.resolve("y.json"), new Object()));
    }

    @Test
    void canonicalFormSortsEveryObjectAndKeepsArrayOrder() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("z", 1);
        inner.put("a", List.of(3, 1, Map.of("y", true, "b", "x")));
        Map<String, Object> outer = new LinkedHashMap<>();
        outer.put("outer", inner);
        outer.put("b", 0.5);
        outer.put("a", null);
        String canonical = Json.canonical(outer);
        assertEquals("{\"a\":null,\"b\":0.5,\"outer\":{\"a\":[3,1,{\"b\":\"x\",\"y\":true}],\"z\":1}}", canonical);
        Map<String, Object> reversed = new LinkedHashMap<>();
        reversed.put("a", null);
        reversed.put("b", 0.5);
        reversed.put("outer", Map.of("a", List.of(3, 1, Map.of("b", "x", "y", true)), "z", 1));
        assertEquals(canonical, Json.canonical(reversed));
        assertThrows(IllegalArgumentException.class, () -> Json.canonical(new Object()));
    }
}
