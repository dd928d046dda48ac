package dev.smdp4j.launch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The process settings of a JVM that runs the engine. First glibc's allocator settings
 * ({@code MALLOC_MMAP_THRESHOLD_}, {@code MALLOC_TRIM_THRESHOLD_}, {@code MALLOC_ARENA_MAX}): without
 * them freed tensor memory goes back to the OS and every new activation page-faults afresh (measured
 * 4-5x slower network passes). Then MKL's strict reproducibility mode ({@code MKL_CBWR=AUTO,STRICT}),
 * which makes libtorch's float32 matrix products round the same whatever the number of engine
 * threads, so that a two-thread {@code smdp sample} and single-core Spark executors give
 * bit-identical samples. glibc and MKL read them once, at the start of a process, so they must be in
 * a JVM's environment when it starts.
 *
 * <p>Defined once, in the class-path resource {@value #RESOURCE} (source:
 * {@code src/main/resources/dev/smdp4j/allocator.env}), which {@code ./smdp} exports, {@code pom.xml}
 * gives the tests, and {@link ChildJvm} gives its children.
 */
public final class AllocatorSettings {
    /** The class-path resource of the settings, one {@code NAME=VALUE} a line. */
    public static final String RESOURCE = "/dev/smdp4j/allocator.env";

    private static final Map<String, String> SETTINGS = read();

    private AllocatorSettings() {}

    /** The settings, name to value, in the file's order. */
    public static Map<String, String> settings() {
        return SETTINGS;
    }

    /** Adds the settings to a child's environment, keeping any value it already has (as {@code ./smdp} does). */
    public static void addTo(Map<String, String> environment) {
        SETTINGS.forEach(environment::putIfAbsent);
    }

    /** Reads {@code NAME=VALUE} lines in order; blank lines and {@code #} comments are skipped. */
    private static Map<String, String> read() {
        try (InputStream in = AllocatorSettings.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing class-path resource " + RESOURCE + " (a broken build?)");
            }
            Map<String, String> settings = new LinkedHashMap<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String l = line.strip();
                int eq = l.indexOf('=');
                if (l.isEmpty() || l.startsWith("#")) {
                    continue;
                }
                if (eq < 1) {
                    throw new IllegalStateException(RESOURCE + ": not NAME=VALUE: " + line);
                }
                settings.put(l.substring(0, eq).strip(), l.substring(eq + 1).strip());
            }
            return Collections.unmodifiableMap(settings);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE + ": " + e.getMessage(), e);
        }
    }
}
