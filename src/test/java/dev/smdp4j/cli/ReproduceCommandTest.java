package dev.smdp4j.cli;

import static dev.smdp4j.cli.CommandLineTest.fails;
import static dev.smdp4j.cli.CommandLineTest.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.smdp4j.data.DatasetStore;
import dev.smdp4j.eval.Evaluation;
import dev.smdp4j.eval.Metrics;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.Json;
import dev.smdp4j.pipeline.Reconstruction;
import dev.smdp4j.pipeline.Reproduction;
import dev.smdp4j.util.Engines;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code smdp reproduce --profile quick} end to end: tables, figures, closed-form rows, caching. */
class ReproduceCommandTest {
    @TempDir
    static Path tmp;
    static Path out;
    static JsonNode table;

    @BeforeAll
    static void reproduce() {
        out = tmp.resolve("quick");
        ok("reproduce", "--profile", "quick", "--out", out.toString(), "--quiet");
        table = Json.read(out.resolve("table1.json"));
    }

    @Test
    void tablesHoldEveryRow() throws Exception {
        Set<String> names = new HashSet<>();
        for (JsonNode row : table.path("rows")) {
            names.add(row.path("method").asText());
            assertTrue(Double.isFinite(row.path("mse_1e5").asDouble()), row.toString());
            assertTrue(Double.isFinite(row.path("spectral_error").asDouble()), row.toString());
        }
        for (Reproduction.Row r : Reproduction.ROWS) {
            assertTrue(names.contains(r.name()), "missing row " + r.name());
        }
        String md = Files.readString(out.resolve("table1.md"));
        String csv = Files.readString(out.resolve("table1.csv"));
        for (Reproduction.Row r : Reproduction.ROWS) {
            assertTrue(md.contains("| " + r.name() + " |"), r.name());
            assertTrue(csv.contains(r.name() + ","), r.name());
        }
        assertEquals(Reproduction.ROWS.size() + 1, csv.strip().split("\n").length);
        assertTrue(table.path("stages").has("train smdp"), table.path("stages").toString());
        assertTrue(Files.readString(out.resolve("log.txt")).contains("--profile quick"));
    }

    /** The closed-form rows equal a direct computation from the data set (the posterior mean is deterministic). */
    @Test
    void closedFormRowsMatchDirectComputation() {
        DatasetStore store = DatasetStore.open(out.resolve("data"));
        HostArray y = store.normalisation().normalise(store.testY());
        try (NDManager manager = Engines.newManager()) {
            Reconstruction.Result mean = Reconstruction.closedForm(manager, "exact-posterior-mean", store.spec(),
                    store.normalisation(), y, Reconstruction.Request.of(null, store.spec().steps(), 1, 0), null);
            // Through physical units, as the pipeline stores predictions (the spectral error of a smooth field
            // is sensitive to the float32 rounding of that round trip).
            Evaluation e = Metrics.evaluate(store.testX0(), store.normalisation().denormalise(mean.x0()),
                    store.normalisation().mean(), store.normalisation().std(), store.spec().alpha(), store.spec().endTime());
            JsonNode row = row("limit: exact posterior mean");
            assertEquals(e.mse().mean() * 1e5, row.path("mse_1e5").asDouble(), 1e-6 * e.mse().mean() * 1e5 + 1e-9);
            assertEquals(e.spectralError().mean(), row.path("spectral_error").asDouble(), 1e-6);
        }
        // The Bayes optimum has the lowest MSE of every row.
        double best = row("limit: exact posterior mean").path("mse_1e5").asDouble();
        for (JsonNode r : table.path("rows")) {
            assertTrue(r.path("mse_1e5").asDouble() >= best * (1 - 1e-9), r.toString());
        }
    }

    @Test
    void qualitativeOrderingOfTheSmdpPair() {
        JsonNode ode = row("SMDP-ODE");
        JsonNode sde = row("SMDP-SDE");
        assertTrue(ode.path("mse_1e5").asDouble() < sde.path("mse_1e5").asDouble(), ode + " vs " + sde);
        assertTrue(sde.path("spectral_error").asDouble() < ode.path("spectral_error").asDouble(), ode + " vs " + sde);
    }

    /** SMDP with the learned surrogate physics: trained on the surrogate (recorded) and close to SMDP with the solver. */
    @Test
    void learnedPhysicsRows() throws Exception {
        assertTrue(table.path("stages").has("train surrogate"), table.path("stages").toString());
        assertTrue(table.path("stages").has("train smdp-learned-physics"), table.path("stages").toString());
        try (var runs = Files.list(out.resolve("runs"))) {
            Path learned = runs.filter(p -> p.getFileName().toString().startsWith("smdp-learned-physics-")).findFirst()
                    .orElseThrow();
            JsonNode meta = dev.smdp4j.train.Checkpoint.read(learned.resolve("best.ckpt")).metadata();
            assertEquals("surrogate", meta.path("physics").asText());
            assertTrue(Files.isRegularFile(Path.of(meta.path("surrogate").path("file").asText())));
        }
        // the quick profile trains it with a shorter schedule (no window-8 stage), hence the loose factor
        double spectral = row("SMDP-ODE").path("mse_1e5").asDouble();
        double learned = row("SMDP-ODE (learned physics)").path("mse_1e5").asDouble();
        assertTrue(learned < 1.5 * spectral, learned + " vs " + spectral);
    }

    /**
     * The run's SMDP models in shipped form: weights only, the weights of the checkpoint each row
     * sampled (ODE: best.ckpt, SDE: best-sde.ckpt), and slice metrics recorded.
     */
    @Test
    void theSmdpModelsAreExportedInShippedForm() throws Exception {
        try (var runs = Files.list(out.resolve("runs"))) {
            Path smdp = runs.filter(p -> p.getFileName().toString().matches("smdp-[0-9a-f]+")).findFirst().orElseThrow();
            String[][] pairs = {{dev.smdp4j.pipeline.Pretrained.Use.ESTIMATE.fileName(), "best.ckpt"},
                    {dev.smdp4j.pipeline.Pretrained.Use.POSTERIOR.fileName(), "best-sde.ckpt"}};
            for (String[] pair : pairs) {
                var shipped = dev.smdp4j.train.Checkpoint.read(out.resolve("shipped").resolve(pair[0]));
                var source = dev.smdp4j.train.Checkpoint.read(smdp.resolve(pair[1]));
                assertTrue(shipped.metadata().path("shipped").path("trained_by").asText()
                        .startsWith("smdp reproduce --profile quick"), shipped.metadata().toString());
                assertTrue(shipped.metadata().path("shipped").path("test_slice_metrics").path("ode_mse").isNumber());
                assertEquals(source.tensors().keySet().stream().filter(k -> k.startsWith("param/"))
                        .collect(java.util.stream.Collectors.toSet()), shipped.tensors().keySet(), pair[0]);
                for (String key : shipped.tensors().keySet()) {
                    org.junit.jupiter.api.Assertions.assertArrayEquals(source.tensors().get(key).data(),
                            shipped.tensors().get(key).data(), key);
                }
            }
        }
    }

    @Test
    void figuresAreWritten() throws Exception {
        for (String name : new String[] {"fig2.png", "fig3.png"}) {
            BufferedImage image = ImageIO.read(out.resolve(name).toFile());
            assertTrue(image.getWidth() >= 400 && image.getHeight() >= 300, name + " " + image.getWidth() + "x"
                    + image.getHeight());
        }
    }

    @Test
    void aSecondRunReusesEveryStage() throws Exception {
        String before = Files.readString(out.resolve("stages.json"));
        ok("reproduce", "--profile", "quick", "--out", out.toString(), "--quiet");
        assertEquals(before, Files.readString(out.resolve("stages.json")), "no stage should run again");
        fails("unknown profile", "reproduce", "--profile", "huge", "--out", tmp.resolve("x").toString());
    }

    private static JsonNode row(String name) {
        for (JsonNode r : table.path("rows")) {
            if (r.path("method").asText().equals(name)) {
                return r;
            }
        }
        throw new AssertionError("no row " + name);
    }
}
