package dev.smdp4j.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.Json;
import dev.smdp4j.score.NetworkOutput;
import dev.smdp4j.util.GaussianNoise;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where one network forward pass spends its time, by engine operation: libtorch's own profiler
 * records every operator call of a few passes (a Chrome trace), and the top-level calls (those
 * not inside another recorded call of the same thread) are summed by operator name. Calls of
 * TorchScript functions (the scripted trunk, {@code dev.smdp4j.nn.ScriptedTrunk}) are not
 * operators: the operators they run count instead, as if called one by one. The wall time
 * per pass (measured on as many passes without the profiler) beside the sum of the operators'
 * times shows the share spent outside the engine (Java, JNI, array bookkeeping).
 */
public final class NetworkProfile {
    /** One operator: calls and milliseconds per pass. */
    public record Op(String name, double callsPerPass, double millisPerPass) {}

    /** The profile of {@code passes} forward passes at one batch size. */
    public record Result(
            int batch,
            int passes,
            double callsPerPass,
            double opMillisPerPass,
            double wallMillisPerPass,
            List<Op> ops) {}

    private NetworkProfile() {}

    /**
     * Profiles {@code passes} forward passes of {@code network} at batch {@code batch} (time
     * {@code 0.1}) after {@code warmUpSeconds} of unrecorded passes; the trace is written to
     * {@code trace} and read back.
     */
    public static Result run(
            NDManager manager,
            NetworkOutput network,
            int grid,
            int batch,
            int passes,
            double warmUpSeconds,
            Path trace) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = new GaussianNoise(batch).next(scope, new Shape(batch, grid, grid));
            Runnable pass = () -> {
                try (NDManager step = scope.newSubManager()) {
                    x.tempAttach(step);
                    network.output(x, 0.1);
                }
            };
            long start = System.nanoTime();
            while (System.nanoTime() - start < warmUpSeconds * 1e9) {
                pass.run();
            }
            long t0 = System.nanoTime(); // the wall time without the profiler, which adds its own per call
            for (int i = 0; i < passes; i++) {
                pass.run();
            }
            double wall = (System.nanoTime() - t0) / 1e6 / passes;
            JniUtils.startProfile(false, false, false);
            try {
                for (int i = 0; i < passes; i++) {
                    pass.run();
                }
            } finally {
                JniUtils.stopProfile(trace.toString());
            }
            return summarise(trace, batch, passes, wall);
        }
    }

    /** Sums the top-level calls of a Chrome trace by name. */
    static Result summarise(Path trace, int batch, int passes, double wallMillisPerPass) {
        JsonNode root;
        try {
            root = Json.mapper().readTree(Files.readString(trace));
        } catch (IOException e) {
            throw new InvalidInputException("cannot read the profiler's trace " + trace + ": " + e.getMessage(), e);
        }
        JsonNode events = root.isArray() ? root : root.path("traceEvents");
        List<long[]> spans = new ArrayList<>(); // tid, start, duration, index into names
        List<String> names = new ArrayList<>();
        for (JsonNode e : events) {
            if (e.path("ph").asText().equals("X")) {
                spans.add(new long[] {
                    e.path("tid").asLong(), e.path("ts").asLong(), e.path("dur").asLong(), names.size()
                });
                names.add(e.path("name").asText());
            }
        }
        spans.sort(Comparator.<long[]>comparingLong(s -> s[0])
                .thenComparingLong(s -> s[1])
                .thenComparingLong(s -> -s[2]));
        Map<String, double[]> totals = new LinkedHashMap<>(); // calls, microseconds
        long tid = Long.MIN_VALUE;
        long openUntil = Long.MIN_VALUE;
        int calls = 0;
        double micros = 0;
        for (long[] s : spans) {
            if (!names.get((int) s[3]).startsWith("aten::")) {
                continue; // a TorchScript function (the scripted trunk's forward): its operators count instead
            }
            if (s[0] != tid || s[1] >= openUntil) { // a top-level call: not inside the last one of this thread
                tid = s[0];
                openUntil = s[1] + s[2];
                double[] t = totals.computeIfAbsent(names.get((int) s[3]), k -> new double[2]);
                t[0]++;
                t[1] += s[2];
                calls++;
                micros += s[2];
            }
        }
        List<Op> ops = new ArrayList<>();
        totals.forEach((name, t) -> ops.add(new Op(name, t[0] / passes, t[1] / 1e3 / passes)));
        ops.sort(Comparator.comparingDouble(Op::millisPerPass).reversed());
        return new Result(batch, passes, (double) calls / passes, micros / 1e3 / passes, wallMillisPerPass, ops);
    }
}
