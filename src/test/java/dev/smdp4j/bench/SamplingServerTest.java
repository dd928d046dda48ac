package dev.smdp4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.smdp4j.TestJavac;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The timing server of docs/scripts/interleave (what interleave.py talks to) compiles against this
 * build, finds PosteriorSampling.run and the checkpoint loader, and speaks its protocol: "ready",
 * then one "SECONDS_PER_CALL CALLS" line per request.
 */
class SamplingServerTest {
    @TempDir
    static Path tmp;

    private static Method main;

    @BeforeAll
    static void compile() throws Exception {
        Path classes = tmp.resolve("classes");
        TestJavac.compile(Path.of("docs/scripts/interleave/SamplingServer.java"), classes);
        URLClassLoader loader =
                new URLClassLoader(new URL[] {classes.toUri().toURL()}, SamplingServerTest.class.getClassLoader());
        main = loader.loadClass("SamplingServer").getMethod("main", String[].class);
    }

    @Test
    void theDefaultNetworkAnswersEveryRequest() throws Exception {
        List<String> lines = serve("default", "ode 1 0\nsde 2 0\n");
        assertEquals("ready", lines.get(0));
        assertEquals(3, lines.size(), "one answer per request: " + lines);
        for (String answer : lines.subList(1, 3)) {
            String[] w = answer.split(" ");
            double seconds = Double.parseDouble(w[0]);
            assertTrue(seconds > 0 && seconds < 60, answer);
            assertEquals("1", w[1], "a block of 0 s runs one call");
        }
    }

    @Test
    void aCheckpointIsLoadedAndSampled() throws Exception {
        List<String> lines = serve("src/main/resources/models/smdp-heat-paper-ode.ckpt", "ode 1 0\n");
        assertEquals(List.of("ready"), lines.subList(0, 1));
        assertTrue(Double.parseDouble(lines.get(1).split(" ")[0]) > 0, lines.toString());
    }

    private static List<String> serve(String model, String requests) throws Exception {
        InputStream savedIn = System.in;
        PrintStream savedOut = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try {
            System.setIn(new ByteArrayInputStream(requests.getBytes(StandardCharsets.UTF_8)));
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            main.invoke(null, (Object) new String[] {model});
        } finally {
            System.setIn(savedIn);
            System.setOut(savedOut);
        }
        return printed.toString(StandardCharsets.UTF_8).lines().toList();
    }
}
