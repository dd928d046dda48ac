package dev.smdp4j.cli;

import dev.smdp4j.launch.AllocatorSettings;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The command line in a child JVM, as {@code ./smdp} runs it (offline, one engine thread), so that
 * tests can send it signals, kill it and limit its file sizes.
 */
final class ChildCli {
    /** A finished child: exit code and its captured output. */
    record Result(int code, String out, String err) {}

    private ChildCli() {}

    static List<String> command(int maxFileKilobytes, String... args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(
                java,
                "-Xmx1g",
                "-XX:-UsePerfData",
                "-XX:TieredStopAtLevel=1",
                "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_threads=1",
                "-Dai.djl.pytorch.num_interop_threads=1",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.smdp4j.cli.Main"));
        cmd.addAll(Arrays.asList(args));
        if (maxFileKilobytes <= 0) {
            return cmd;
        }
        // bash's ulimit -f counts 1024-byte blocks; the JVM ignores SIGXFSZ, so writes fail with EFBIG.
        StringBuilder line = new StringBuilder("ulimit -f " + maxFileKilobytes + "; exec");
        for (String c : cmd) {
            line.append(" '").append(c.replace("'", "'\\''")).append('\'');
        }
        return List.of("bash", "-c", line.toString());
    }

    /** Starts {@code smdp args}, output to {@code logs.out} and {@code logs.err}. */
    static Process start(Path logs, int maxFileKilobytes, String... args) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command(maxFileKilobytes, args));
        pb.environment().put("OMP_NUM_THREADS", "1");
        pb.environment().put("DJL_OFFLINE", "true");
        pb.environment().put("OPT_OUT_TRACKING", "true");
        AllocatorSettings.addTo(pb.environment());
        pb.redirectOutput(new File(logs + ".out"));
        pb.redirectError(new File(logs + ".err"));
        return pb.start();
    }

    static Result finish(Process p, Path logs, long timeoutSeconds) throws IOException, InterruptedException {
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError("child did not finish within " + timeoutSeconds + " s: " + read(logs, ".err"));
        }
        return new Result(p.exitValue(), read(logs, ".out"), read(logs, ".err"));
    }

    static Result run(Path logs, int maxFileKilobytes, String... args) throws IOException, InterruptedException {
        return finish(start(logs, maxFileKilobytes, args), logs, 120);
    }

    static String read(Path logs, String suffix) throws IOException {
        Path f = Path.of(logs + suffix);
        return Files.exists(f) ? Files.readString(f, StandardCharsets.UTF_8) : "";
    }
}
