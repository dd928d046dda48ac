package dev.smdp4j.launch;

import dev.smdp4j.util.Progress;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * A main class of this class path (the caller names it, e.g. the command line's) in a child JVM with
 * a given number of engine threads, as {@code ./smdp} would run it (offline, the same
 * {@link AllocatorSettings}), its stderr appended to a log file and optionally echoed to ours.
 *
 * <p>Why child processes: DJL allows one gradient collector per process, so two trainings cannot
 * share a JVM; and libtorch's worker threads spin, so jobs that share the cores must each get their
 * share of engine threads (docs/BENCHMARKS.md, "Running jobs side by side").
 */
public final class ChildJvm {
    private static final int TAIL_LINES = 8;

    private final Process process;
    private final Thread pump;
    private final Deque<String> tail = new ArrayDeque<>();

    private ChildJvm(Process process, Path log, boolean echo) {
        this.process = process;
        this.pump = new Thread(() -> copy(log, echo), "smdp-child-" + process.pid());
        pump.setDaemon(true);
        pump.start();
    }

    /**
     * Starts {@code mainClass args} with {@code engineThreads} intra-op threads; stderr goes to {@code log}
     * (appended), stdout is discarded.
     */
    public static ChildJvm start(String mainClass, int engineThreads, List<String> args, Path log, boolean echo) {
        if (engineThreads < 1) {
            throw new IllegalArgumentException("engine threads must be at least 1, got " + engineThreads);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        long heapMb = Math.min(4096, Runtime.getRuntime().maxMemory() >> 20);
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "-Xmx" + heapMb + "m",
                "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_threads=" + engineThreads,
                "-Dai.djl.pytorch.num_interop_threads=1",
                "-D" + Progress.LINES_PROPERTY + "=true",
                "-cp",
                System.getProperty("java.class.path"),
                mainClass));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> env = pb.environment();
        env.put("OMP_NUM_THREADS", Integer.toString(engineThreads));
        env.put("DJL_OFFLINE", "true");
        env.put("OPT_OUT_TRACKING", "true");
        AllocatorSettings.addTo(env); // as ./smdp: keep freed native memory in the heap
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.redirectError(ProcessBuilder.Redirect.PIPE);
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            return new ChildJvm(pb.start(), log, echo);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a child JVM (" + java + "): " + e.getMessage(), e);
        }
    }

    private void copy(Path log, boolean echo) {
        try (BufferedReader in =
                        new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
                BufferedWriter file = Files.newBufferedWriter(
                        log, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            String line;
            while ((line = in.readLine()) != null) {
                file.write(line);
                file.newLine();
                file.flush();
                if (echo) {
                    System.err.println(line);
                }
                synchronized (tail) {
                    tail.addLast(line);
                    if (tail.size() > TAIL_LINES) {
                        tail.removeFirst();
                    }
                }
            }
        } catch (IOException e) {
            System.err.println(
                    "cannot copy the output of child process " + process.pid() + " to " + log + ": " + e.getMessage());
        }
    }

    /** Waits for the child to exit and its output to be copied; returns its exit code. */
    public int waitFor() throws InterruptedException {
        int code = process.waitFor();
        pump.join();
        return code;
    }

    /**
     * Asks the child to stop (SIGTERM: it saves its state and exits). Through the process handle:
     * {@code Process.destroy} would also close the pipe and lose the child's last words.
     */
    public void stop() {
        process.toHandle().destroy();
    }

    /** Whether the child is still running. */
    public boolean alive() {
        return process.isAlive();
    }

    /** The child's last lines of output (its error, when it failed). */
    public String tail() {
        synchronized (tail) {
            return String.join("\n", tail);
        }
    }
}
