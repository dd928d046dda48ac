package dev.smdp4j;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Classes a newcomer can read: no source file in src/main longer than {@value #MAX_LINES} lines. */
class ClassSizeRuleTest {
    private static final int MAX_LINES = 400;

    @Test
    void noSourceFileInSrcMainIsLongerThanTheLimit() throws IOException {
        List<Path> sources;
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            sources = files.filter(p -> p.toString().endsWith(".java")).toList();
        }
        List<String> tooLong = new ArrayList<>();
        for (Path p : sources) {
            int lines = Files.readAllLines(p).size();
            if (lines > MAX_LINES) {
                tooLong.add(p + " (" + lines + " lines)");
            }
        }
        assertTrue(sources.size() > 100, "expected the project's sources, found " + sources.size());
        assertTrue(tooLong.isEmpty(), "split these by concern: " + tooLong);
    }
}
