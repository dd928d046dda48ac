package dev.smdp4j.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.Json;
import dev.smdp4j.score.NetworkOutput;
import dev.smdp4j.util.EngineArrays;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The side-by-side comparison with a peer implementation of the same network: the JSON written by
 * {@code docs/scripts/torch_peer.py} (eager PyTorch), which holds the peer's timings under the
 * same row names as {@link SpeedSuite}'s and the peer's network output on a fixed input, so that
 * both implementations can be checked to compute the same function before their speeds are
 * compared.
 */
public final class PeerComparison {
    /** One row measured by both: our milliseconds, the peer's, and the speed ratio (peer time / ours). */
    public record Row(String group, String name, double millis, double peerMillis, double speedRatio) {}

    /**
     * How far our output is from the peer's on the check input: the largest difference, the largest
     * output, and the peer's own float32 round-off there (its float32 output against its float64
     * one; NaN if the file has no float64 output), the scale any two float32 implementations can
     * be expected to differ by.
     */
    public record Agreement(double maxAbsDifference, double maxAbsOutput, double peerRoundOff) {}

    private final JsonNode peer;
    private final Path file;

    private PeerComparison(Path file, JsonNode peer) {
        this.file = file;
        this.peer = peer;
    }

    /** Reads a peer's JSON; a missing or malformed file is an {@link InvalidInputException} naming it. */
    public static PeerComparison read(Path file) {
        JsonNode node;
        try {
            node = Json.mapper().readTree(Files.readString(file));
        } catch (IOException | RuntimeException e) {
            throw new InvalidInputException("cannot read the peer's timings " + file + ": " + e.getMessage(), e);
        }
        if (node == null
                || !node.path("rows").isArray()
                || !node.path("check").path("output").isArray()) {
            throw new InvalidInputException(
                    file + " is not a peer timing file (no 'rows' and 'check' entries; write it "
                            + "with docs/scripts/torch_peer.py)");
        }
        return new PeerComparison(file, node);
    }

    /** The checkpoint the peer was built from, or null if it did not record one. */
    public Path model() {
        String m = peer.path("model").asText("");
        return m.isEmpty() ? null : Path.of(m);
    }

    /** A short description: implementation, its version and threads. */
    public String describe() {
        return peer.path("peer").asText("peer") + " " + peer.path("torch").asText("") + ", "
                + peer.path("threads").asInt() + " threads (Python "
                + peer.path("python").asText("?") + ")";
    }

    /** The batch sizes the peer timed sampling at, in its order. */
    public int[] samplingBatches() {
        List<Integer> batches = new ArrayList<>();
        for (JsonNode r : peer.path("rows")) {
            String name = r.path("name").asText();
            if (r.path("group").asText().equals("sampling") && name.endsWith(" samples per batch")) {
                String[] words = name.split(" ");
                int b = Integer.parseInt(words[words.length - 4]);
                if (!batches.contains(b)) {
                    batches.add(b);
                }
            }
        }
        return batches.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Our network's output on the peer's check input against the peer's output. The input is the
     * script's fixed formula, {@code sin(2 pi (r + 2 b) / N) cos(4 pi c / N) + 0.1 (b + 1)} for
     * field {@code b}, row {@code r}, column {@code c}.
     */
    public Agreement check(NDManager manager, NetworkOutput network) {
        JsonNode check = peer.path("check");
        int batch = check.path("batch").asInt();
        int n = check.path("grid").asInt();
        double t = check.path("t").asDouble();
        JsonNode expected = check.path("output");
        if (batch < 1 || n < 2 || expected.size() != batch * n * n) {
            throw new InvalidInputException(file + ": the check holds " + expected.size()
                    + " values, not batch x N x N = " + batch + " x " + n + " x " + n);
        }
        float[] input = checkInput(batch, n);
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = EngineArrays.of(scope, input, new Shape(batch, n, n));
            float[] ours = network.output(x, t).toFloatArray();
            JsonNode exact = check.path("output_float64");
            double maxDiff = 0;
            double maxOut = 0;
            double roundOff = exact.size() == ours.length ? 0 : Double.NaN;
            for (int i = 0; i < ours.length; i++) {
                double peer32 = expected.get(i).asDouble();
                maxDiff = Math.max(maxDiff, Math.abs(ours[i] - peer32));
                maxOut = Math.max(maxOut, Math.abs(peer32));
                if (!Double.isNaN(roundOff)) {
                    roundOff = Math.max(roundOff, Math.abs(peer32 - exact.get(i).asDouble()));
                }
            }
            return new Agreement(maxDiff, maxOut, roundOff);
        }
    }

    /** The script's check input, {@code [batch, n, n]} row-major. */
    public static float[] checkInput(int batch, int n) {
        float[] x = new float[batch * n * n];
        for (int b = 0; b < batch; b++) {
            for (int r = 0; r < n; r++) {
                for (int c = 0; c < n; c++) {
                    x[(b * n + r) * n + c] = (float)
                            (Math.sin(2 * Math.PI * (r + 2 * b) / n) * Math.cos(4 * Math.PI * c / n) + 0.1 * (b + 1));
                }
            }
        }
        return x;
    }

    /** Our rows that the peer measured too, with both times. */
    public List<Row> rows(List<SpeedSuite.Row> ours) {
        List<Row> rows = new ArrayList<>();
        for (SpeedSuite.Row r : ours) {
            for (JsonNode p : peer.path("rows")) {
                if (p.path("group").asText().equals(r.group())
                        && p.path("name").asText().equals(r.name())) {
                    double peerMillis = p.path("millis").asDouble();
                    rows.add(new Row(r.group(), r.name(), r.millis(), peerMillis, peerMillis / r.millis()));
                }
            }
        }
        return rows;
    }
}
