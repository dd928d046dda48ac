package dev.smdp4j.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The allocator settings are defined once and reach the tests' JVM and every child JVM. */
class ChildJvmTest {
    /** What the child runs: prints its allocator settings, engine threads and arguments to stderr. */
    public static final class PrintEnvironment {
        public static void main(String[] args) {
            for (String name : AllocatorSettings.settings().keySet()) {
                System.err.println(name + "=" + System.getenv(name));
            }
            System.err.println("OMP_NUM_THREADS=" + System.getenv("OMP_NUM_THREADS"));
            System.err.println("threads=" + System.getProperty("ai.djl.pytorch.num_threads"));
            System.err.println("args=" + String.join(" ", args));
            System.exit(args.length);
        }
    }

    @Test
    void theSettingsAreTheLaunchersAndReachTheTestsThroughThePom() {
        assertEquals(
                Map.of(
                        "MALLOC_MMAP_THRESHOLD_",
                        "33554432",
                        "MALLOC_TRIM_THRESHOLD_",
                        "17179869184",
                        "MALLOC_ARENA_MAX",
                        "2",
                        "MKL_CBWR",
                        "AUTO,STRICT"),
                AllocatorSettings.settings());
        // pom.xml reads the same file into the forked test JVM's environment
        AllocatorSettings.settings().forEach((name, value) -> assertEquals(value, System.getenv(name), name));
    }

    @Test
    void aValueAlreadyInTheEnvironmentWins() {
        Map<String, String> env = new HashMap<>(Map.of("MALLOC_ARENA_MAX", "4"));
        AllocatorSettings.addTo(env);
        assertEquals("4", env.get("MALLOC_ARENA_MAX"));
        assertEquals("33554432", env.get("MALLOC_MMAP_THRESHOLD_"));
        assertEquals("17179869184", env.get("MALLOC_TRIM_THRESHOLD_"));
    }

    @Test
    void theChildRunsTheCallersMainClassWithTheSettings(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("logs").resolve("child.log");
        ChildJvm child = ChildJvm.start(PrintEnvironment.class.getName(), 3, List.of("a", "b"), log, false);
        assertEquals(2, child.waitFor());
        String out = Files.readString(log);
        AllocatorSettings.settings().forEach((name, value) -> assertTrue(out.contains(name + "=" + value + "\n"), out));
        assertTrue(out.contains("OMP_NUM_THREADS=3\n"), out);
        assertTrue(out.contains("threads=3\n"), out);
        assertTrue(out.contains("args=a b\n"), out);
        assertTrue(child.tail().endsWith("args=a b"), child.tail());
    }
}
