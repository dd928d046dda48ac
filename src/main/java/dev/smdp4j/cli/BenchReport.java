package dev.smdp4j.cli;

import ai.djl.engine.Engine;
import com.fasterxml.jackson.core.JsonProcessingException;
import dev.smdp4j.bench.NetworkProfile;
import dev.smdp4j.bench.PeerComparison;
import dev.smdp4j.bench.PhysicsBenchmark;
import dev.smdp4j.bench.SpeedSuite;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.io.Json;
import dev.smdp4j.nn.NetworkConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What {@code smdp bench} prints: each target's table on standard output, or with {@code --json} the
 * same numbers as JSON, always headed by the machine it ran on; progress lines go to standard error
 * (none with {@code --json}).
 */
final class BenchReport {
    private final boolean json;

    BenchReport(boolean json) {
        this.json = json;
    }

    /** Where a suite's progress lines go: standard error, or nowhere when the output is JSON. */
    Consumer<String> progress() {
        return line -> {
            if (!json) {
                System.err.println(line);
            }
        };
    }

    /**
     * The heat benchmark's rows, each beside the practical peak, and the peak memory; then, if
     * {@code peer} is not null, the rows it measured too beside its times, after the check that both
     * compute the same network ({@code agreement}).
     */
    void speed(
            List<SpeedSuite.Row> rows,
            NetworkConfig network,
            int graphEvaluations,
            PeerComparison peer,
            PeerComparison.Agreement agreement)
            throws JsonProcessingException {
        double peak = SpeedSuite.peakGflops(rows);
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("machine", machine());
            m.put("network", network.toMap());
            m.put("graph_evaluations", graphEvaluations);
            m.put("practical_peak_gflops", peak);
            m.put("rows", rows.stream().map(r -> jsonRow(r, peak)).toList());
            m.put("peak_rss_bytes", SpeedSuite.peakRss());
            if (peer != null) {
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("peer", peer.describe());
                p.put("output_max_abs_difference", agreement.maxAbsDifference());
                p.put("output_max_abs", agreement.maxAbsOutput());
                p.put("peer_float32_vs_float64_max_abs_difference", agreement.peerRoundOff());
                p.put("rows", peer.rows(rows));
                m.put("peer", p);
            }
            printJson(m);
            return;
        }
        System.out.printf(
                "%s%npractical peak (best float32 matmul): %.1f GFLOP/s; useful FLOPs only%n%n", machine(), peak);
        System.out.printf(
                "| %-8s | %-58s | %9s | %18s | %7s | %7s | %8s |%n",
                "group", "what", "ms", "rate", "GFLOP/s", "of peak", "peak RSS");
        System.out.println("|----------|------------------------------------------------------------|-----------|"
                + "--------------------|---------|---------|----------|");
        for (SpeedSuite.Row r : rows) {
            boolean counted = Double.isFinite(r.gflops());
            System.out.printf(
                    "| %-8s | %-58s | %9.2f | %18s | %7s | %7s | %8s |%n",
                    r.group(),
                    r.name(),
                    r.millis(),
                    String.format("%.1f %s", r.rate(), r.unit()),
                    counted ? String.format("%.1f", r.gflops()) : "",
                    counted ? String.format("%.0f%%", 100 * r.gflops() / peak) : "",
                    r.peakRss() > 0 ? String.format("%.2f GB", r.peakRss() / 1e9) : "");
        }
        printPeakMemory();
        if (peer != null) {
            printPeer(peer, agreement, rows);
        }
    }

    private static Map<String, Object> jsonRow(SpeedSuite.Row r, double peak) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("group", r.group());
        e.put("name", r.name());
        e.put("ms", r.millis());
        e.put("rate", r.rate());
        e.put("unit", r.unit());
        if (Double.isFinite(r.gflops())) { // rows without a FLOP count (e.g. the optimizer) have none
            e.put("gflops", r.gflops());
            e.put("fraction_of_peak", r.gflops() / peak);
        }
        e.put("peak_rss_bytes", r.peakRss());
        return e;
    }

    private static void printPeer(PeerComparison peer, PeerComparison.Agreement agreement, List<SpeedSuite.Row> rows) {
        System.out.printf("%nside by side with %s%n", peer.describe());
        System.out.printf(
                "same network: outputs on the check input differ by at most %.2e (largest output %.3g); "
                        + "the peer's own float32 output differs from its float64 one by %.2e%n%n",
                agreement.maxAbsDifference(), agreement.maxAbsOutput(), agreement.peerRoundOff());
        System.out.printf(
                "| %-8s | %-45s | %10s | %10s | %13s |%n", "group", "what", "smdp4j ms", "peer ms", "speed vs peer");
        System.out.println("|----------|-----------------------------------------------|------------|------------|"
                + "---------------|");
        for (PeerComparison.Row r : peer.rows(rows)) {
            System.out.printf(
                    "| %-8s | %-45s | %10.2f | %10.2f | %12.2fx |%n",
                    r.group(), r.name(), r.millis(), r.peerMillis(), r.speedRatio());
        }
    }

    /** The rows of {@code bench --problem NAME} (no FLOP counts), and the peak memory. */
    void problem(String problem, DatasetSpec protocol, List<SpeedSuite.Row> rows) throws JsonProcessingException {
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("machine", machine());
            m.put("problem", protocol.toMap());
            m.put("rows", rows);
            m.put("peak_rss_bytes", SpeedSuite.peakRss());
            printJson(m);
            return;
        }
        System.out.printf(
                "%s%nproblem %s, its default SMDP network and options%n%n| %-8s | %-58s | %10s | %20s |%n",
                machine(), problem, "group", "what", "ms", "rate");
        System.out.println("|----------|------------------------------------------------------------|------------|"
                + "----------------------|");
        for (SpeedSuite.Row r : rows) {
            System.out.printf(
                    "| %-8s | %-58s | %10.3f | %20s |%n",
                    r.group(), r.name(), r.millis(), String.format("%.1f %s", r.rate(), r.unit()));
        }
        printPeakMemory();
    }

    /**
     * {@code bench profile}: per batch, the top engine operations of one forward pass of the network
     * in {@code checkpoint} ({@code model}: how the text names it), after {@code warmUpSeconds}.
     */
    void profile(Path checkpoint, String model, double warmUpSeconds, List<NetworkProfile.Result> results)
            throws JsonProcessingException {
        if (json) {
            printJson(Map.of("machine", machine(), "model", checkpoint.toString(), "profiles", results));
            return;
        }
        System.out.printf(
                "%s%nmodel %s; top-level engine operations of one forward pass (libtorch profiler, mean of "
                        + "10 passes after %.0f s of warm-up; wall time measured on 10 passes without the profiler)%n"
                        + "operation times include the profiler's cost per call, which overstates operations made of "
                        + "many small ones, such as the circular pad (docs/BENCHMARKS.md)%n",
                machine(), model, warmUpSeconds);
        for (NetworkProfile.Result r : results) {
            System.out.printf(
                    "%nbatch %d: %.0f engine calls, %.2f ms inside them, %.2f ms wall per pass%n",
                    r.batch(), r.callsPerPass(), r.opMillisPerPass(), r.wallMillisPerPass());
            for (NetworkProfile.Op op : r.ops().subList(0, Math.min(12, r.ops().size()))) {
                System.out.printf("  %-32s %5.1f calls %9.3f ms%n", op.name(), op.callsPerPass(), op.millisPerPass());
            }
        }
    }

    /** {@code bench physics}: microseconds per heat-step call of each scheme and reference (JSON on one line). */
    void physics(PhysicsBenchmark bench, List<PhysicsBenchmark.Row> rows, int batch, int grid, int repeats, int calls)
            throws JsonProcessingException {
        if (json) {
            Map<String, Object> m = new LinkedHashMap<>(bench.describe());
            Map<String, Double> r = new LinkedHashMap<>();
            rows.forEach(row -> r.put(row.name(), row.microsPerCall()));
            m.put("microseconds_per_call", r);
            System.out.println(Json.mapper().writeValueAsString(m));
            return;
        }
        System.out.printf(
                "heat step on %d fields of %dx%d (median of %d x %d calls, microseconds per call)%n",
                batch, grid, grid, repeats, calls);
        for (PhysicsBenchmark.Row row : rows) {
            System.out.printf("  %-36s %10.1f us%n", row.name(), row.microsPerCall());
        }
    }

    private static void printJson(Object value) throws JsonProcessingException {
        System.out.println(Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(value));
    }

    private static void printPeakMemory() {
        System.out.printf("%npeak resident memory of this run: %.2f GB%n", SpeedSuite.peakRss() / 1e9);
    }

    private static String machine() {
        return String.format(
                "%d cores, Java %s, %s, engine threads %s",
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"),
                Engine.getInstance().getEngineName() + " "
                        + Engine.getInstance().getVersion(),
                System.getProperty("ai.djl.pytorch.num_threads", "default"));
    }
}
