package dev.smdp4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import dev.smdp4j.data.DatasetGenerator;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.DatasetStore;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.ParameterIO;
import dev.smdp4j.nn.ScoreNetConfig;
import dev.smdp4j.nn.TimeConditionedNetwork;
import dev.smdp4j.physics.HeatEquation;
import dev.smdp4j.score.ExactNet;
import dev.smdp4j.sde.Diffusion;
import dev.smdp4j.sde.Sde;
import dev.smdp4j.util.Engines;
import dev.smdp4j.util.GaussianNoise;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** SMDP training on tiny sizes: the loss falls, gradients reach every parameter, resume is exact. */
class TrainingRunTest {
    static final ScoreNetConfig TINY_NET = new ScoreNetConfig(8, 1, 3, new int[] {1, 2}, "leaky-relu");
    static final DatasetSpec SPEC = DatasetSpec.heat(48, 8, 16, 4, 1, 0.2, 8, 0.1, 0.01, 3);

    @TempDir
    static Path tmp;

    static Path data;
    private static NDManager manager;

    @BeforeAll
    static void start() {
        manager = Engines.newManager();
        data = tmp.resolve("data");
        DatasetStore.write(data, DatasetGenerator.generate(manager, SPEC, false));
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    static TrainingOptions options(String schedule) {
        return options(schedule, 0);
    }

    static TrainingOptions options(String schedule, double averageDecay) {
        return TrainingOptions.builder(Method.SMDP, TINY_NET, WindowSchedule.parse(schedule))
                .seed(11)
                .jitter(true)
                .augment(true)
                .validationSize(8)
                .scoreFactor(0.5)
                .weightDecay(0)
                .anchorEvery(0)
                .anchorWeight(0)
                .graphEvaluations(0)
                .averageDecay(averageDecay)
                .build();
    }

    @Test
    void lossFallsTowardsTheExactNetFloor() {
        Normalisation norm = new Normalisation(0, 2.4);
        try (NDManager m = manager.newSubManager();
                HeatEquation heat = new HeatEquation(m, 1);
                ExactNet exact = new ExactNet(m, SPEC, norm)) {
            SmdpModel model = SmdpModel.create(m, TINY_NET, SPEC, norm, 0.5, 1);
            Sde sde = new Sde(heat, Diffusion.constant(0.1));
            UnrolledOdeObjective objective = new UnrolledOdeObjective(sde, model.network(), 0.2, 8, false);
            UnrolledOdeObjective floor = new UnrolledOdeObjective(sde, exact, 0.2, 8, false);
            HostArray x0 = new dev.smdp4j.physics.GaussianRandomField(4)
                    .sample(m, 16, 16, 5)
                    .normalised(0, 2.4);
            double before = meanLoss(m, objective, x0, 1);
            double best = meanLoss(m, floor, x0, 1);

            try (Adam adam = Adam.builder().build(model.block())) {
                TrainingLoop loop =
                        new TrainingLoop(m, objective, adam, x0, WindowSchedule.parse("1:100:8:1e-2:1e-3"), 1, false);
                loop.run(
                        Position.START,
                        new TrainingLoop.Listener() {
                            @Override
                            public void onEpochEnd(
                                    int stageIndex,
                                    int epoch,
                                    Position next,
                                    Stage stage,
                                    double meanLoss,
                                    int skipped) {
                                if (epoch % 10 == 0) {
                                    System.out.println("epoch " + epoch + " loss " + meanLoss + " skipped " + skipped);
                                }
                            }
                        },
                        null);
            }
            double after = meanLoss(m, objective, x0, 1);
            System.out.println("loss before " + before + " after " + after + " exact-net floor " + best);
            // paired draws (same fields, noise and window starts): training must close most of the gap to the optimum
            assertTrue(after < before - 0.5 * (before - best), "loss " + before + " -> " + after + ", floor " + best);
            assertTrue(
                    best < after * 1.02,
                    "the exact one-step optimum " + best + " should not lose to the trained " + after);
        }
    }

    private static double meanLoss(NDManager m, UnrolledOdeObjective objective, HostArray x0, int window) {
        double sum = 0;
        for (int i = 0; i < 64; i++) {
            try (NDManager scope = m.newSubManager()) {
                NDArray x = scope.create(x0.data(), new Shape(16, 16, 16));
                sum += objective.loss(x, window, new GaussianNoise(100 + i)).getFloat();
            }
        }
        return sum / 64;
    }

    /** A tiny SMDP model whose zero-initialised output layer is moved off zero, so every upstream gradient can be non-zero. */
    private static SmdpModel offZeroModel(NDManager m) {
        SmdpModel model = SmdpModel.create(m, TINY_NET, SPEC, new Normalisation(0, 2.4), 0.5, 2);
        model.block().getParameters().forEach(p -> p.getValue().getArray().addi(0.01f));
        return model;
    }

    /**
     * A batch larger than {@link TimeConditionedNetwork#CHUNK} is evaluated in chunks: every field
     * gets the output it gets alone, in its own place (70 fields: two full chunks and a partial one).
     */
    @Test
    void largeBatchesGiveEachFieldItsOwnOutput() {
        try (NDManager m = manager.newSubManager()) {
            SmdpModel model = offZeroModel(m);
            int b = 2 * TimeConditionedNetwork.CHUNK + 6;
            NDArray x = new GaussianNoise(8).next(m, new Shape(b, 16, 16));
            float[] all = model.network().output(x, 0.1).toFloatArray();
            for (int i : new int[] {0, 31, 32, 63, 64, b - 1}) {
                float[] alone =
                        model.network().output(x.get(i + ":" + (i + 1)), 0.1).toFloatArray();
                float[] inBatch = java.util.Arrays.copyOfRange(all, i * 256, (i + 1) * 256);
                float scale = 0;
                for (float v : alone) {
                    scale = Math.max(scale, Math.abs(v));
                }
                assertArrayEquals(alone, inBatch, 1e-5f * scale, "field " + i);
            }
        }
    }

    @Test
    void gradientsReachEveryParameterThroughThePhysics() {
        try (NDManager m = manager.newSubManager();
                HeatEquation heat = new HeatEquation(m, 1)) {
            SmdpModel model = offZeroModel(m);
            UnrolledOdeObjective objective =
                    new UnrolledOdeObjective(new Sde(heat, Diffusion.constant(0.1)), model.network(), 0.2, 8, true);
            NDArray x0 = new GaussianNoise(3).next(m, new Shape(4, 16, 16));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(objective.loss(x0, 3, new GaussianNoise(4)));
            }
            model.block().getParameters().forEach(p -> {
                NDArray g = p.getValue().getArray().getGradient();
                float norm2 = g.square().sum().getFloat();
                assertTrue(Float.isFinite(norm2) && norm2 > 0, "gradient of " + p.getKey() + ": " + norm2);
            });
        }
    }

    /**
     * The anchor terms come after the window's draws, so with the same seed they add a positive
     * amount that scales with their weight, and nothing when the window is shorter than anchorEvery.
     */
    @Test
    void anchorTermsAddWeightedOneStepLosses() {
        try (NDManager m = manager.newSubManager();
                HeatEquation heat = new HeatEquation(m, 1)) {
            SmdpModel model = offZeroModel(m);
            Sde sde = new Sde(heat, Diffusion.constant(0.1));
            NDArray x0 = new GaussianNoise(3).next(m, new Shape(4, 16, 16));
            double[] loss = new double[4];
            int[][] settings = {{0, 0}, {2, 1}, {2, 2}, {8, 2}}; // {anchorEvery, weight}
            for (int i = 0; i < settings.length; i++) {
                UnrolledOdeObjective objective = new UnrolledOdeObjective(
                        sde, sde, model.network(), 0.2, 8, false, settings[i][0], settings[i][1], 0);
                loss[i] = objective.loss(x0, 4, new GaussianNoise(4)).getFloat();
            }
            assertTrue(loss[1] > loss[0], loss[1] + " vs " + loss[0]);
            assertEquals(2 * (loss[1] - loss[0]), loss[2] - loss[0], 1e-4 * loss[2]);
            assertEquals(loss[0], loss[3], 1e-7 * loss[0], "window 4 < anchorEvery 8: no anchor");
        }
    }

    /**
     * Drawing the window's first state from the closed-form marginal gives the loss the simulation
     * from x0 gives, in distribution: the exact-net loss of window 4 agrees between the heat physics
     * and the same physics hidden behind an interface without its Fourier symbol (which forces the
     * simulation). Paired by seed: both paths draw the same window start, then different noise.
     */
    @Test
    void closedFormWindowStartsGiveTheSimulatedLoss() {
        Normalisation norm = new Normalisation(0, 2.4);
        try (NDManager m = manager.newSubManager();
                HeatEquation heat = new HeatEquation(m, 1);
                ExactNet exact = new ExactNet(m, SPEC, norm)) {
            Sde sde = new Sde(heat, Diffusion.constant(0.1));
            Sde opaque = new Sde(dev.smdp4j.TestPhysics.withoutSymbol(heat), sde.diffusion());
            assertTrue(dev.smdp4j.sde.ForwardSimulation.hasClosedFormMarginal(sde, 16));
            assertFalse(dev.smdp4j.sde.ForwardSimulation.hasClosedFormMarginal(opaque, 16));
            int batch = 32;
            HostArray x0 = new dev.smdp4j.physics.GaussianRandomField(4)
                    .sample(m, batch, 16, 5)
                    .normalised(0, 2.4);
            UnrolledOdeObjective closedForm = new UnrolledOdeObjective(sde, exact, 0.2, 8, false);
            UnrolledOdeObjective simulated = new UnrolledOdeObjective(opaque, sde, exact, 0.2, 8, false, 0, 0, 0);
            int draws = 48;
            double mean = 0;
            double meanDifference = 0;
            double squaredDifference = 0;
            for (int i = 0; i < draws; i++) {
                try (NDManager scope = m.newSubManager()) {
                    NDArray x = scope.create(x0.data(), new Shape(batch, 16, 16));
                    double a = closedForm.loss(x, 4, new GaussianNoise(i)).getFloat();
                    double b = simulated.loss(x, 4, new GaussianNoise(i)).getFloat();
                    mean += a / draws;
                    meanDifference += (a - b) / draws;
                    squaredDifference += (a - b) * (a - b) / draws;
                }
            }
            double se = Math.sqrt((squaredDifference - meanDifference * meanDifference) / draws);
            System.out.println("window-4 exact-net loss " + mean + ": closed form - simulated = " + meanDifference
                    + " (se " + se + ")");
            assertEquals(0, meanDifference, 4 * se, "closed-form vs simulated window states");
            assertTrue(se < 0.03 * mean, "too few draws to tell: se " + se + " of " + mean);
        }
    }

    /**
     * Gradient checkpointing (segments recomputed under their own collectors) gives the loss and the
     * parameter gradients of the whole window's graph: window 7 in segments of 1, 3 and 7 (with the
     * anchors in groups of as many), with anchors and time jitter, so that every random draw must
     * also come out the same.
     */
    @Test
    void checkpointedGradientsEqualTheWholeGraphs() {
        try (NDManager m = manager.newSubManager();
                HeatEquation heat = new HeatEquation(m, 1)) {
            SmdpModel model = offZeroModel(m);
            Sde sde = new Sde(heat, Diffusion.constant(0.1));
            NDArray x0 = new GaussianNoise(3).next(m, new Shape(4, 16, 16));
            int[] segments = {0, 1, 3, 7}; // steps per segment at batch 4: graph budgets 0 (off), 4, 12, 28
            double[] loss = new double[segments.length];
            float[][][] grads = new float[segments.length][][];
            for (int i = 0; i < segments.length; i++) {
                UnrolledOdeObjective objective =
                        new UnrolledOdeObjective(sde, sde, model.network(), 0.2, 8, true, 2, 1, 4 * segments[i]);
                try (NDManager step = m.newSubManager()) {
                    NDArray x = x0.duplicate();
                    x.attach(step);
                    loss[i] = objective.lossAndBackward(x, 7, new GaussianNoise(4));
                }
                grads[i] = model.block().getParameters().values().stream()
                        .map(p -> {
                            NDArray g = p.getArray().getGradient();
                            float[] v = g.toFloatArray();
                            g.set(new ai.djl.ndarray.index.NDIndex("..."), 0f);
                            return v;
                        })
                        .toArray(float[][]::new);
            }
            for (int i = 1; i < segments.length; i++) {
                assertEquals(loss[0], loss[i], 1e-5 * loss[0], "loss, segments of " + segments[i]);
                for (int p = 0; p < grads[0].length; p++) {
                    double scale = 0;
                    for (float v : grads[0][p]) {
                        scale = Math.max(scale, Math.abs(v));
                    }
                    assertTrue(scale > 0, "parameter " + p + " has a zero gradient");
                    assertArrayEquals(
                            grads[0][p],
                            grads[i][p],
                            (float) (1e-4 * scale),
                            "gradient of parameter " + p + ", segments of " + segments[i]);
                }
            }
        }
    }

    /**
     * A stage's own anchor setting (the sixth schedule field) replaces the run's for that stage:
     * the same loss as an objective built with that setting; other stages keep the run's.
     */
    @Test
    void aStageCanSetItsOwnAnchors() {
        WindowSchedule schedule = WindowSchedule.parse("4:1:4:1e-3:1e-3,4:1:4:1e-3:1e-3:2,4:1:4:1e-3:1e-3:0");
        assertEquals("4:1:4:0.001:0.001,4:1:4:0.001:0.001:2,4:1:4:0.001:0.001:0", schedule.toString());
        assertEquals(
                schedule.toString(), WindowSchedule.parse(schedule.toString()).toString());
        assertThrows(InvalidInputException.class, () -> WindowSchedule.parse("4:1:4:1e-3:1e-3:-2"));
        InvalidInputException oneShot = assertThrows(
                InvalidInputException.class,
                () -> TrainingOptions.builder(Method.RESNET_S, TINY_NET, WindowSchedule.parse("1:1:4:1e-3:1e-3:2"))
                        .seed(1)
                        .build());
        assertTrue(oneShot.getMessage().contains("smdp"), oneShot.getMessage());
        try (NDManager m = manager.newSubManager();
                HeatEquation heat = new HeatEquation(m, 1)) {
            SmdpModel model = offZeroModel(m);
            Sde sde = new Sde(heat, Diffusion.constant(0.1));
            NDArray x0 = new GaussianNoise(3).next(m, new Shape(4, 16, 16));
            UnrolledOdeObjective none = new UnrolledOdeObjective(sde, sde, model.network(), 0.2, 8, false, 0, 1, 0);
            UnrolledOdeObjective two = new UnrolledOdeObjective(sde, sde, model.network(), 0.2, 8, false, 2, 1, 0);
            double[] loss = new double[4];
            try (NDManager step = m.newSubManager()) {
                loss[0] = none.lossAndBackward(x0, schedule.stages().get(0), new GaussianNoise(4)); // inherits: none
                loss[1] = none.lossAndBackward(x0, schedule.stages().get(1), new GaussianNoise(4)); // its own: 2
                loss[2] = two.lossAndBackward(x0, 4, new GaussianNoise(4));
                loss[3] = two.lossAndBackward(x0, schedule.stages().get(2), new GaussianNoise(4)); // its own: none
            }
            assertEquals(loss[2], loss[1], 0, "stage anchors 2 = objective anchors 2");
            assertEquals(loss[0], loss[3], 0, "stage anchors 0 = objective without anchors");
            assertTrue(loss[1] > loss[0], loss[1] + " vs " + loss[0]);
        }
    }

    /** Also with a weight average: its state is part of the checkpoint, and the saved weights are the average. */
    @ParameterizedTest
    @ValueSource(doubles = {0, 0.9})
    void aResumedRunEqualsTheUninterruptedRun(double averageDecay) {
        String schedule = "1:2:8:1e-3:1e-3,2:1:8:3e-4:1e-4";
        Path whole = tmp.resolve("whole" + averageDecay);
        Path parts = tmp.resolve("parts" + averageDecay);
        TrainingOptions options = options(schedule, averageDecay);
        TrainingRun.Result full = new TrainingRun(data, whole, options, false, 60, 0, false).run(manager);
        assertTrue(full.complete());
        TrainingRun.Result first = new TrainingRun(data, parts, options, false, 60, 0, false)
                .stopAfterSteps(7)
                .run(manager);
        assertFalse(first.complete());
        assertEquals(7, first.position().step());
        TrainingRun.Result second = new TrainingRun(data, parts, options, true, 60, 0, false).run(manager);
        assertTrue(second.complete());
        Map<String, HostArray> a =
                Checkpoint.read(whole.resolve(TrainingRun.LAST)).tensors();
        Map<String, HostArray> b =
                Checkpoint.read(parts.resolve(TrainingRun.LAST)).tensors();
        assertEquals(a.keySet(), b.keySet());
        for (String key : a.keySet()) {
            assertArrayEquals(a.get(key).data(), b.get(key).data(), 1e-6f, key);
        }
        assertEquals(averageDecay > 0, a.keySet().stream().anyMatch(k -> k.startsWith(WeightAverage.STATE_PREFIX)));
        if (averageDecay > 0) {
            // saved parameters = the average, not the raw training weights beside them
            String name = a.keySet().stream()
                    .filter(k -> k.startsWith(ParameterIO.PREFIX))
                    .findFirst()
                    .orElseThrow();
            float[] raw = a.get(WeightAverage.WEIGHTS + name.substring(ParameterIO.PREFIX.length()))
                    .data();
            assertFalse(java.util.Arrays.equals(raw, a.get(name).data()), "the average equals the raw weights");
        }
        JsonNode meta = Checkpoint.read(parts.resolve(TrainingRun.LAST)).metadata();
        assertTrue(meta.path("complete").asBoolean());
        assertEquals(TINY_NET.width(), meta.path("network").path("width").asInt());
        assertEquals(
                SPEC.gridSize(),
                meta.path("dataset").path("parameters").path("grid_size").asInt());
        assertTrue(meta.path("dataset").path("train_sha256").asText().length() == 64);
        assertTrue(meta.path("history").size() >= 3);
        // best-sde.ckpt: the validated epoch with the lowest SDE spectral error, the same whether resumed or not
        for (Path run : new Path[] {whole, parts}) {
            JsonNode posterior =
                    Checkpoint.read(run.resolve(TrainingRun.BEST_POSTERIOR)).metadata();
            double min = Double.POSITIVE_INFINITY;
            long step = -1;
            for (JsonNode e : meta.path("history")) {
                if (e.path("val_sde_spectral").isNumber()
                        && e.path("val_sde_spectral").asDouble() < min) {
                    min = e.path("val_sde_spectral").asDouble();
                    step = e.path("step").asLong();
                }
            }
            assertTrue(step > 0, "no validated epoch");
            assertEquals(
                    "val_sde_spectral",
                    posterior.path("posterior_selection_metric").asText());
            assertEquals(min, posterior.path("best_posterior_selection").asDouble(), 1e-6 * min, run.toString());
            assertEquals(step, posterior.path("position").path("step").asLong(), run.toString());
        }
    }

    @Test
    void resumeRefusesOtherSettingsAndFreshRunsRefuseToOverwrite() {
        Path out = tmp.resolve("guarded");
        new TrainingRun(data, out, options("1:1:8:1e-3:1e-3,1:1:8:1e-3:1e-3"), false, 60, 0, false)
                .stopAfterSteps(2)
                .run(manager);
        InvalidInputException fresh = assertThrows(
                InvalidInputException.class,
                () -> new TrainingRun(data, out, options("1:1:8:1e-3:1e-3"), false, 60, 0, false).run(manager));
        assertTrue(fresh.getMessage().contains("--resume"), fresh.getMessage());
        InvalidInputException other = assertThrows(
                InvalidInputException.class,
                () -> new TrainingRun(data, out, options("1:3:8:1e-3:1e-3"), true, 60, 0, false).run(manager));
        assertTrue(other.getMessage().contains("schedule"), other.getMessage());

        // last.ckpt as an earlier version wrote it: no physics, average_decay or spectral fields, init ""
        Checkpoint last = Checkpoint.read(out.resolve(TrainingRun.LAST));
        com.fasterxml.jackson.databind.node.ObjectNode meta =
                (com.fasterxml.jackson.databind.node.ObjectNode) last.metadata();
        Checkpoint.RESERVED.forEach(meta::remove);
        com.fasterxml.jackson.databind.node.ObjectNode training =
                (com.fasterxml.jackson.databind.node.ObjectNode) meta.get("training");
        training.remove(List.of("physics", "average_decay"));
        training.put("init", "");
        ((com.fasterxml.jackson.databind.node.ObjectNode) meta.get("network"))
                .remove(List.of("spectral_modes", "spectral_field_powers", "spectral_exclusive"));
        meta.remove("best_selection");
        @SuppressWarnings("unchecked")
        Map<String, Object> older = dev.smdp4j.io.Json.mapper().convertValue(meta, Map.class);
        Checkpoint.write(out.resolve(TrainingRun.LAST), older, last.tensors());
        assertTrue(
                new TrainingRun(data, out, options("1:1:8:1e-3:1e-3,1:1:8:1e-3:1e-3"), true, 60, 0, false)
                        .run(manager)
                        .complete(),
                "an older last.ckpt resumes: absent fields are their defaults");
    }
}
