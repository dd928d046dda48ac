package dev.smdp4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** Compiles Java sources that live outside the build (documentation examples, scripts) against the test class path. */
public final class TestJavac {
    private TestJavac() {}

    /** Compiles {@code source} into {@code classes} (created if missing); fails the test with the compiler's messages. */
    public static void compile(Path source, Path classes) throws IOException {
        Files.createDirectories(classes);
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int code = compiler.run(
                null,
                null,
                diagnostics,
                "-d",
                classes.toString(),
                "-cp",
                System.getProperty("java.class.path"),
                source.toString());
        assertEquals(0, code, () -> source + " compiles: " + diagnostics.toString(StandardCharsets.UTF_8));
    }
}
