package dev.smdp4j.problem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smdp4j.TestJavac;
import dev.smdp4j.data.DatasetStore;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The user-problem example of docs/USAGE.md, section 9, as a user would run it: extracted from
 * the document, compiled against the library, and run at small size. It must register its
 * problem, generate data that record it, train SMDP through its physics and print posterior samples.
 */
class UserProblemExampleTest {
    static final String START = "<!-- example:user-problem -->";
    static final String END = "<!-- /example:user-problem -->";

    @Test
    void theDocumentedExampleCompilesAndRuns(@TempDir Path tmp) throws Exception {
        String doc = Files.readString(Path.of("docs/USAGE.md"));
        int from = doc.indexOf(START);
        int to = doc.indexOf(END);
        assertTrue(from >= 0 && to > from, "docs/USAGE.md holds the marked example");
        String block = doc.substring(from + START.length(), to).trim();
        assertTrue(block.startsWith("```java") && block.endsWith("```"), "the example is one java code block");
        String source = block.substring("```java".length(), block.length() - 3);
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        Files.writeString(src.resolve("UserProblemExample.java"), source);
        Path classes = tmp.resolve("classes");
        TestJavac.compile(src.resolve("UserProblemExample.java"), classes);

        Path work = tmp.resolve("work");
        PrintStream saved = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(
                new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            Method main = loader.loadClass("UserProblemExample").getMethod("main", String[].class);
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            main.invoke(null, (Object) new String[] {work.toString(), "128"});
        } finally {
            System.setOut(saved);
        }
        String out = printed.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("posterior samples of test observation 0: ["), out);
        String[] values = out.substring(out.indexOf('[') + 1, out.indexOf(']')).split(",");
        assertEquals(12, values.length, "4 samples of 3 components: " + out);
        for (String v : values) {
            assertTrue(Double.isFinite(Double.parseDouble(v.trim())), out);
        }
        assertEquals(
                "cooling",
                Json.read(work.resolve("data").resolve(DatasetStore.MANIFEST))
                        .path("problem")
                        .asText());
        assertEquals(
                "cooling",
                dev.smdp4j.io.Checkpoint.read(work.resolve("run").resolve("best.ckpt"))
                        .metadata()
                        .path("dataset")
                        .path("parameters")
                        .path("problem")
                        .asText(),
                "the checkpoint records the problem");
        HostArray y = DatasetStore.open(work.resolve("data")).testY();
        assertEquals(List.of(32, 3), List.of(y.dim(0), y.dim(1)));
    }
}
