package dev.smdp4j.cli;

import static dev.smdp4j.cli.CommandLineTest.fails;
import static dev.smdp4j.cli.CommandLineTest.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.smdp4j.bench.PeerComparison;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.Json;
import dev.smdp4j.pipeline.Pretrained;
import dev.smdp4j.train.SmdpModel;
import dev.smdp4j.util.EngineArrays;
import dev.smdp4j.util.Engines;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code smdp bench --peer}: the peer's output on the check input is compared with ours before any
 * timing, and the peer's rows are printed beside ours; {@code smdp bench profile} lists the engine
 * operations. The peer file here is written by the test from our own network (the Python script
 * that writes real ones is optional for users and CI).
 */
class BenchPeerTest {
    @TempDir
    static Path tmp;

    /** A peer file whose check output is our network's on the script's input, plus {@code shift} on one value. */
    private static Path peerFile(Path model, double shift, String name) throws Exception {
        float[] out;
        try (NDManager m = Engines.newManager()) {
            SmdpModel loaded = SmdpModel.load(m, Checkpoint.read(model));
            out = loaded.network()
                    .output(EngineArrays.of(m, PeerComparisonInput.of(2, 32), new Shape(2, 32, 32)), 0.1)
                    .toFloatArray();
        }
        ObjectNode peer = Json.mapper().createObjectNode();
        peer.put("peer", "test peer");
        peer.put("torch", "0");
        peer.put("threads", 2);
        peer.put("model", model.toString());
        ObjectNode check = peer.putObject("check");
        check.put("t", 0.1);
        check.put("batch", 2);
        check.put("grid", 32);
        ArrayNode values = check.putArray("output");
        for (int i = 0; i < out.length; i++) {
            values.add(out[i] + (i == 7 ? shift : 0));
        }
        ArrayNode rows = peer.putArray("rows");
        ObjectNode row = rows.addObject();
        row.put("group", "network");
        row.put("name", "forward, batch 1");
        row.put("millis", 5.0);
        Path file = tmp.resolve(name);
        Files.writeString(file, Json.mapper().writeValueAsString(peer));
        return file;
    }

    @Test
    void thePeersOutputIsCheckedAndItsRowsPrintedBesideOurs() throws Exception {
        Path model = Pretrained.checkpoint(Pretrained.Use.ESTIMATE);
        String[] common = {"--net-batches", "1", "--repeats", "1", "--warm-up", "0", "--json"};
        JsonNode same = Json.mapper()
                .readTree(ok(concat(
                                new String[] {
                                    "bench",
                                    "network",
                                    "--peer",
                                    peerFile(model, 0, "same.json").toString()
                                },
                                common))
                        .out())
                .path("peer");
        assertTrue(same.path("output_max_abs_difference").asDouble() < 1e-6, same.toString());
        JsonNode row = same.path("rows").get(0);
        assertEquals("forward, batch 1", row.path("name").asText());
        assertEquals(5.0, row.path("peerMillis").asDouble(), 0);
        assertEquals(5.0 / row.path("millis").asDouble(), row.path("speedRatio").asDouble(), 1e-9);

        JsonNode shifted = Json.mapper()
                .readTree(ok(concat(
                                new String[] {
                                    "bench",
                                    "network",
                                    "--peer",
                                    peerFile(model, 0.5, "shifted.json").toString()
                                },
                                common))
                        .out())
                .path("peer");
        assertEquals(0.5, shifted.path("output_max_abs_difference").asDouble(), 1e-4, "a different function shows");

        Path garbage = tmp.resolve("garbage.json");
        Files.writeString(garbage, "{\"rows\": 3}");
        fails("not a peer timing file", "bench", "network", "--peer", garbage.toString());
        fails(
                "cannot read the peer's timings",
                "bench",
                "network",
                "--peer",
                tmp.resolve("missing.json").toString());
    }

    @Test
    void profileListsTheEngineOperationsOfAForwardPass() {
        String out =
                ok("bench", "profile", "--net-batches", "1", "--warm-up", "0").out();
        assertTrue(out.contains("batch 1:") && out.contains("engine calls") && out.contains("aten::conv2d"), out);
    }

    private static String[] concat(String[] a, String[] b) {
        String[] c = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** The check input of docs/scripts/torch_peer.py, through the class that rebuilds it. */
    private static final class PeerComparisonInput {
        static float[] of(int batch, int n) {
            return PeerComparison.checkInput(batch, n);
        }
    }
}
