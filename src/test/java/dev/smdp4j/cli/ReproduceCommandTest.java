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
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.Json;
import dev.smdp4j.pipeline.Reconstruction;
import dev.smdp4j.report.Table1;
import dev.smdp4j.sample.Seeding;
import dev.smdp4j.train.Method;
import dev.smdp4j.util.Engines;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
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
        for (Table1.Row r : Table1.ROWS) {
            assertTrue(names.contains(r.name()), "missing row " + r.name());
        }
        String md = Files.readString(out.resolve("table1.md"));
        String csv = Files.readString(out.resolve("table1.csv"));
        for (Table1.Row r : Table1.ROWS) {
            assertTrue(md.contains("| " + r.name() + " |"), r.name());
            assertTrue(csv.contains(r.name() + ","), r.name());
        }
        assertEquals(Table1.ROWS.size() + 1, csv.strip().split("\n").length);
        assertTrue(table.path("stages").has("train smdp"), table.path("stages").toString());
        assertTrue(md.contains("| train smdp | ") && md.contains("Profile quick") && md.contains("seed 0"), md);
        assertTrue(Files.readString(out.resolve("log.txt")).contains("--profile quick"));
    }

    /** The closed-form rows equal a direct computation from the data set (the posterior mean is deterministic). */
    @Test
    void closedFormRowsMatchDirectComputation() {
        DatasetStore store = DatasetStore.open(out.resolve("data"));
        HostArray y = store.normalisation().normalise(store.testY());
        try (NDManager manager = Engines.newManager()) {
            Reconstruction.Result mean = Reconstruction.closedForm(
                    manager,
                    "exact-posterior-mean",
                    store.spec(),
                    store.normalisation(),
                    y,
                    Reconstruction.Request.of(null, store.spec().steps(), 1, 0),
                    Seeding.global(0),
                    true,
                    null);
            // Through physical units, as the pipeline stores predictions (the spectral error of a smooth field
            // is sensitive to the float32 rounding of that round trip).
            Evaluation e = Metrics.evaluate(
                    store.testX0(),
                    store.normalisation().denormalise(mean.x0()),
                    store.normalisation().mean(),
                    store.normalisation().std(),
                    store.spec().alpha(),
                    store.spec().endTime());
            JsonNode row = row("limit: exact posterior mean");
            assertEquals(
                    e.mse().mean() * 1e5,
                    row.path("mse_1e5").asDouble(),
                    1e-6 * e.mse().mean() * 1e5 + 1e-9);
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
        assertTrue(
                sde.path("spectral_error").asDouble()
                        < ode.path("spectral_error").asDouble(),
                ode + " vs " + sde);
    }

    /** SMDP with the learned surrogate physics: trained on the surrogate (recorded) and close to SMDP with the solver. */
    @Test
    void learnedPhysicsRows() throws Exception {
        assertTrue(
                table.path("stages").has("train surrogate"),
                table.path("stages").toString());
        assertTrue(
                table.path("stages").has("train smdp-learned-physics"),
                table.path("stages").toString());
        try (var runs = Files.list(out.resolve("runs"))) {
            Path learned = runs.filter(p -> p.getFileName().toString().startsWith("smdp-learned-physics-"))
                    .findFirst()
                    .orElseThrow();
            JsonNode meta =
                    dev.smdp4j.io.Checkpoint.read(learned.resolve("best.ckpt")).metadata();
            assertEquals("surrogate", meta.path("physics").asText());
            assertTrue(Files.isRegularFile(
                    Path.of(meta.path("surrogate").path("file").asText())));
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
            Path smdp = runs.filter(p -> p.getFileName().toString().matches("smdp-[0-9a-f]+"))
                    .findFirst()
                    .orElseThrow();
            String[][] pairs = {
                {dev.smdp4j.pipeline.Pretrained.Use.ESTIMATE.fileName(), "best.ckpt"},
                {dev.smdp4j.pipeline.Pretrained.Use.POSTERIOR.fileName(), "best-sde.ckpt"}
            };
            for (String[] pair : pairs) {
                var shipped =
                        dev.smdp4j.io.Checkpoint.read(out.resolve("shipped").resolve(pair[0]));
                var source = dev.smdp4j.io.Checkpoint.read(smdp.resolve(pair[1]));
                assertTrue(
                        shipped.metadata()
                                .path("shipped")
                                .path("trained_by")
                                .asText()
                                .startsWith("smdp reproduce --profile quick"),
                        shipped.metadata().toString());
                assertTrue(shipped.metadata()
                        .path("shipped")
                        .path("test_slice_metrics")
                        .path("ode_mse")
                        .isNumber());
                assertEquals(
                        source.tensors().keySet().stream()
                                .filter(k -> k.startsWith("param/"))
                                .collect(java.util.stream.Collectors.toSet()),
                        shipped.tensors().keySet(),
                        pair[0]);
                for (String key : shipped.tensors().keySet()) {
                    org.junit.jupiter.api.Assertions.assertArrayEquals(
                            source.tensors().get(key).data(),
                            shipped.tensors().get(key).data(),
                            key);
                }
            }
        }
    }

    @Test
    void figuresAreWritten() throws Exception {
        for (String name : new String[] {"fig2.png", "fig3.png"}) {
            BufferedImage image = ImageIO.read(out.resolve(name).toFile());
            assertTrue(
                    image.getWidth() >= 400 && image.getHeight() >= 300,
                    name + " " + image.getWidth() + "x" + image.getHeight());
        }
    }

    @Test
    void aSecondRunReusesEveryStage() throws Exception {
        String before = Files.readString(out.resolve("stages.json"));
        ok("reproduce", "--profile", "quick", "--out", out.toString(), "--quiet");
        assertEquals(before, Files.readString(out.resolve("stages.json")), "no stage should run again");
        fails(
                "unknown profile",
                "reproduce",
                "--profile",
                "huge",
                "--out",
                tmp.resolve("x").toString());
        fails(
                "--jobs must be at least 1",
                "reproduce",
                "--jobs",
                "0",
                "--out",
                tmp.resolve("x").toString());
        assertTrue(!Files.exists(tmp.resolve("x")), "a refused run must not create its output directory");
    }

    /** The default --jobs 2 trained side by side: every training ran in a child process that kept a log. */
    @Test
    void trainingsRanInChildProcessesWithALogEach() throws Exception {
        for (String label : trainingLabels(true)) {
            Path log = out.resolve("logs").resolve(label + ".log");
            assertTrue(Files.isRegularFile(log), "no log of " + label);
            // the child ran the whole schedule (quiet: no progress lines, but nothing failed either)
            assertTrue(!Files.readString(log).contains("error"), Files.readString(log));
            assertTrue(complete(runDir(out, label)), label);
        }
    }

    /**
     * --jobs 1 trains in this process (no child log), and resumes a training from a copy of the
     * cache; --no-learned-physics leaves out the surrogate, SMDP with it and their two rows.
     */
    @Test
    void oneJobTrainsInProcessAndLearnedPhysicsCanBeLeftOut() throws Exception {
        Path copy = tmp.resolve("one-job");
        copyTree(out.resolve("data"), copy.resolve("data"));
        for (String label : trainingLabels(false)) {
            if (!label.equals("resnet-s")) {
                Path run = runDir(out, label);
                copyTree(run, copy.resolve("runs").resolve(run.getFileName()));
            }
        }
        ok(
                "reproduce",
                "--profile",
                "quick",
                "--out",
                copy.toString(),
                "--quiet",
                "--jobs",
                "1",
                "--no-learned-physics");
        assertTrue(complete(runDir(copy, "resnet-s")));
        assertTrue(!Files.exists(copy.resolve("logs")), "--jobs 1 must not start child processes");
        JsonNode t = Json.read(copy.resolve("table1.json"));
        Set<String> names = new HashSet<>();
        t.path("rows").forEach(r -> names.add(r.path("method").asText()));
        for (Table1.Row r : Table1.ROWS) {
            assertEquals(!r.name().contains("learned physics"), names.contains(r.name()), r.name());
        }
        assertTrue(!t.path("stages").has("train surrogate"), t.path("stages").toString());
        try (var runs = Files.list(copy.resolve("runs"))) {
            assertTrue(runs.noneMatch(p -> p.getFileName().toString().startsWith("surrogate-")));
        }
        // the same seed, retrained with two engine threads instead of one: equal up to float reordering
        double again = rowOf(t, "ResNet-S").path("mse_1e5").asDouble();
        double first = row("ResNet-S").path("mse_1e5").asDouble();
        assertEquals(first, again, 0.1 * first);
    }

    /** A training that fails in its child process stops the run with exit 2, naming the training and its log. */
    @Test
    void aFailingTrainingNamesItselfAndItsLog() throws Exception {
        Path broken = tmp.resolve("broken");
        copyTree(out.resolve("data"), broken.resolve("data"));
        Path train = broken.resolve("data").resolve(DatasetStore.TRAIN);
        Files.write(train, new byte[] {'P', 'K', 3, 4, 0, 0}); // a truncated archive
        CommandLineTest.Run r = CommandLineTest.run(
                "reproduce", "--profile", "quick", "--out", broken.toString(), "--quiet", "--no-learned-physics");
        assertEquals(Main.EXIT_BAD_INPUT, r.code(), r.err());
        assertTrue(r.err().contains("failed in its child process") && r.err().contains(".log"), r.err());
        assertTrue(r.err().contains(DatasetStore.TRAIN), "the child's own error should be quoted: " + r.err());
        assertTrue(!Files.exists(broken.resolve("table1.json")));
    }

    /** SIGTERM to reproduce stops its child trainings, which save their checkpoints, and no process is left behind. */
    @Test
    void sigtermStopsEveryChildTraining() throws Exception {
        Path run = tmp.resolve("terminated");
        copyTree(out.resolve("data"), run.resolve("data"));
        Path logs = tmp.resolve("terminated-log");
        Process p = ChildCli.start(
                logs, 0, "reproduce", "--profile", "quick", "--out", run.toString(), "--quiet", "--no-learned-physics");
        Path firstCheckpoint = null;
        for (int i = 0; i < 1200 && firstCheckpoint == null; i++) {
            Thread.sleep(100);
            if (!p.isAlive()) {
                throw new AssertionError("reproduce ended early: " + ChildCli.read(logs, ".err"));
            }
            try (var runs =
                    Files.exists(run.resolve("runs")) ? Files.list(run.resolve("runs")) : Stream.<Path>empty()) {
                firstCheckpoint = runs.map(d -> d.resolve("last.ckpt"))
                        .filter(Files::isRegularFile)
                        .findFirst()
                        .orElse(null);
            }
        }
        assertTrue(firstCheckpoint != null, "no checkpoint within 120 s");
        List<ProcessHandle> children = p.descendants()
                .filter(h -> h.info().command().orElse("").endsWith("java"))
                .toList();
        assertTrue(!children.isEmpty(), "no child JVM found");
        p.destroy(); // SIGTERM
        ChildCli.Result r = ChildCli.finish(p, logs, 180);
        assertTrue(r.code() != 0, "an interrupted run must not report success");
        assertTrue(r.err().contains("interrupted"), r.err());
        for (ProcessHandle c : children) {
            c.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(!c.isAlive(), "child " + c.pid() + " still running");
        }
        try (var runs = Files.list(run.resolve("runs"))) {
            for (Path d : runs.toList()) { // every started training left a readable checkpoint
                assertTrue(Checkpoint.read(d.resolve("last.ckpt")).metadata().has("complete"), d.toString());
            }
        }
    }

    /** The training labels of the quick profile, in the order reproduce starts them. */
    private static List<String> trainingLabels(boolean learnedPhysics) {
        List<String> labels = new ArrayList<>();
        for (Method m : dev.smdp4j.problem.HeatProblem.paper().methods()) {
            if (m != Method.SURROGATE || learnedPhysics) {
                labels.add(m.id());
            }
        }
        if (learnedPhysics) {
            labels.add("smdp-learned-physics");
        }
        return labels;
    }

    private static Path runDir(Path root, String label) throws IOException {
        try (var runs = Files.list(root.resolve("runs"))) {
            return runs.filter(p -> p.getFileName().toString().matches(Pattern.quote(label) + "-[0-9a-f]{12}"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no run of " + label + " in " + root));
        }
    }

    private static boolean complete(Path runDir) {
        return Checkpoint.read(runDir.resolve("last.ckpt"))
                .metadata()
                .path("complete")
                .asBoolean(false);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static JsonNode row(String name) {
        return rowOf(table, name);
    }

    private static JsonNode rowOf(JsonNode table, String name) {
        for (JsonNode r : table.path("rows")) {
            if (r.path("method").asText().equals(name)) {
                return r;
            }
        }
        throw new AssertionError("no row " + name);
    }
}
