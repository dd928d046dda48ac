package dev.smdp4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
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
import dev.smdp4j.nn.SurrogateNetConfig;
import dev.smdp4j.physics.HeatEquation;
import dev.smdp4j.pipeline.Reconstruction;
import dev.smdp4j.sde.Diffusion;
import dev.smdp4j.sde.ForwardSimulation;
import dev.smdp4j.sde.Sde;
import dev.smdp4j.sde.TimeGrid;
import dev.smdp4j.util.Engines;
import dev.smdp4j.util.GaussianNoise;
import dev.smdp4j.util.Hashing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The learned physics: a surrogate trained on tiny sizes against the spectral heat step (one-step
 * and rollout error on held-out fields, autograd against finite differences), and SMDP training and
 * sampling with it end to end.
 */
class SurrogateTest {
    /** 16 x 16, M = 8: the largest {@code alpha |k|^2 d} is 3.2, as the paper's 32 x 32, M = 32 step. */
    static final DatasetSpec SPEC = DatasetSpec.heat(96, 16, 16, 4, 1, 0.2, 8, 0.1, 0.01, 5);

    @TempDir
    static Path tmp;

    static Path data;
    static Path surrogateFile;
    private static NDManager manager;

    @BeforeAll
    static void train() {
        manager = Engines.newManager();
        data = tmp.resolve("data");
        DatasetStore.write(data, DatasetGenerator.generate(manager, SPEC, false));
        TrainingOptions options =
                options(Method.SURROGATE, SurrogateNetConfig.defaults(), "1:30:8:3e-1:1e-4", TrainingOptions.SPECTRAL);
        TrainingRun.Result r =
                new TrainingRun(data, tmp.resolve("surrogate"), options, false, 60, 0, false).run(manager);
        assertTrue(r.complete());
        surrogateFile = r.best();
    }

    @AfterAll
    static void stop() {
        manager.close();
    }

    static TrainingOptions options(Method method, dev.smdp4j.nn.NetworkConfig net, String schedule, String physics) {
        return TrainingOptions.builder(method, net, WindowSchedule.parse(schedule))
                .seed(7)
                .augment(true)
                .validationSize(16)
                .scoreFactor(0.5)
                .weightDecay(0)
                .physics(physics)
                .build();
    }

    private static DatasetStore store() {
        return DatasetStore.open(data);
    }

    private static SurrogatePhysics surrogate(NDManager m) {
        return SurrogatePhysics.load(m, surrogateFile, SPEC, store().normalisation());
    }

    /** Noisy trajectories of the held-out test fields, simulated with the spectral step: [n, M + 1, N, N]. */
    private static NDArray heldOutTrajectories(NDManager m, HeatEquation heat) {
        HostArray x0 = store().normalisation().normalise(store().testX0());
        NDArray initial = m.create(x0.data(), new Shape(x0.dim(0), SPEC.gridSize(), SPEC.gridSize()));
        return ForwardSimulation.trajectory(
                new Sde(heat, Diffusion.constant(SPEC.diffusion())),
                TimeGrid.uniform(SPEC.endTime(), SPEC.steps()),
                initial,
                new GaussianNoise(99));
    }

    private static double norm(NDArray a) {
        return Math.sqrt(a.square().sum().toType(DataType.FLOAT64, false).getDouble());
    }

    /**
     * One-step error on held-out states (every state of noisy test trajectories) against the
     * spectral step. Threshold 2% relative L2: then the error's root mean square per pixel is below
     * a quarter of the noise the forward SDE itself adds per step, g sqrt(d) (asserted too), so the
     * surrogate's bias is small against the process's own randomness.
     */
    @Test
    void oneStepErrorOnHeldOutStatesIsSmall() {
        try (NDManager m = manager.newSubManager();
                HeatEquation heat = new HeatEquation(m, SPEC.alpha())) {
            SurrogatePhysics physics = surrogate(m);
            double d = SPEC.endTime() / SPEC.steps();
            NDArray states = heldOutTrajectories(m, heat).reshape(-1, SPEC.gridSize(), SPEC.gridSize());
            NDArray exact = heat.increment(states, d);
            NDArray error = physics.increment(states, d).sub(exact);
            double relative = norm(error) / norm(exact);
            double rms = norm(error) / Math.sqrt(states.size());
            assertTrue(relative < 0.02, "one-step relative L2 " + relative);
            assertTrue(rms < 0.25 * SPEC.diffusion() * Math.sqrt(d), "error rms " + rms);
            // A zero span is no step; a span of 3 T/M (two sub-steps of the trained range) stays accurate.
            assertEquals(0, norm(physics.increment(states, 0)), 0);
            NDArray long3 = heat.increment(states, 3 * d);
            assertTrue(norm(physics.increment(states, 3 * d).sub(long3)) / norm(long3) < 0.05);
        }
    }

    /** Rollout over the full trajectory, M steps from each held-out x0: the accumulated change stays within 5% at every step. */
    @Test
    void rolloutErrorOverTheFullTrajectory() {
        try (NDManager m = manager.newSubManager();
                HeatEquation heat = new HeatEquation(m, SPEC.alpha())) {
            SurrogatePhysics physics = surrogate(m);
            double d = SPEC.endTime() / SPEC.steps();
            NDArray x0 = heldOutTrajectories(m, heat).get(":, 0");
            NDArray exact = x0;
            NDArray learned = x0;
            for (int step = 1; step <= SPEC.steps(); step++) {
                exact = heat.advance(exact, d);
                learned = physics.advance(learned, d);
                double relative = norm(learned.sub(exact)) / norm(exact.sub(x0));
                assertTrue(relative < 0.05, "rollout step " + step + ": relative error of the change " + relative);
            }
            // the validation metric of the run measures the same thing
            SurrogateModel.Accuracy a = SurrogateModel.accuracy(
                    m,
                    physics,
                    new Sde(heat, Diffusion.constant(SPEC.diffusion())),
                    store().normalisation().normalise(store().testX0()),
                    SPEC,
                    1);
            assertTrue(a.rolloutMax() < 0.05 && a.oneStep() < 0.05, a.toString());
        }
    }

    /** The surrogate is differentiable: autograd's directional derivative equals central finite differences. */
    @Test
    void gradientMatchesFiniteDifferences() {
        try (NDManager m = manager.newSubManager()) {
            // another normalisation than the surrogate's own: the unit mapping is differentiated too
            Normalisation own = store().normalisation();
            SurrogatePhysics physics =
                    SurrogatePhysics.load(m, surrogateFile, SPEC, new Normalisation(own.mean() + 0.3, own.std() * 1.7));
            double d = SPEC.endTime() / SPEC.steps();
            GaussianNoise noise = new GaussianNoise(5);
            Shape shape = new Shape(2, SPEC.gridSize(), SPEC.gridSize());
            NDArray x = noise.next(m, shape);
            NDArray w = noise.next(m, shape);
            NDArray v = noise.next(m, shape);
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                gc.backward(physics.increment(x, d).mul(w).sum());
            }
            double autograd = x.getGradient().mul(v).sum().getFloat();
            float eps = 0.05f;
            double plus = physics.increment(x.stopGradient().add(v.mul(eps)), d)
                    .mul(w)
                    .sum()
                    .getFloat();
            double minus = physics.increment(x.stopGradient().sub(v.mul(eps)), d)
                    .mul(w)
                    .sum()
                    .getFloat();
            double fd = (plus - minus) / (2 * eps);
            assertEquals(
                    fd, autograd, 2e-3 * Math.abs(fd) + 1e-4, "autograd " + autograd + " vs finite differences " + fd);
            assertTrue(Math.abs(fd) > 1e-2, "a non-trivial derivative " + fd);
        }
    }

    /** SMDP trains with the surrogate as its physics, records it, and samples with it; clear errors otherwise. */
    @Test
    void smdpWithLearnedPhysicsTrainsAndSamples() throws Exception {
        Path copy = tmp.resolve("copy.ckpt");
        Files.copy(surrogateFile, copy, StandardCopyOption.REPLACE_EXISTING);
        TrainingOptions options = options(
                Method.SMDP,
                TrainingRunTest.TINY_NET,
                "1:1:8:1e-3:1e-3,2:1:8:3e-4:1e-4",
                SurrogatePhysics.PREFIX + copy);
        TrainingRun.Result r = new TrainingRun(data, tmp.resolve("smdp"), options, false, 60, 0, false).run(manager);
        assertTrue(r.complete() && Double.isFinite(r.bestValidationMse()), r.toString());
        JsonNode meta = Checkpoint.read(r.best()).metadata();
        assertEquals("surrogate", meta.path("physics").asText());
        assertEquals(Hashing.sha256(copy), meta.path("surrogate").path("sha256").asText());
        assertEquals(
                copy.toAbsolutePath().toString(),
                meta.path("surrogate").path("file").asText());
        try (NDManager m = manager.newSubManager()) {
            SmdpModel model = (SmdpModel) TrainableModel.load(m, Checkpoint.read(r.best()));
            assertInstanceOf(
                    SurrogatePhysics.class,
                    model.reverseSde(
                                    new Sde(dev.smdp4j.physics.PhysicsModel.NONE, Diffusion.constant(SPEC.diffusion())))
                            .physics());
            HostArray y = store().normalisation().normalise(store().testY()).rows(0, 4);
            HostArray x0 = Reconstruction.run(m, model, y, Reconstruction.Request.of("sde", SPEC.steps(), 2, 3), null)
                    .x0();
            assertEquals(-1, x0.firstNonFinite());
            assertEquals(4 * 2 * 16 * 16, x0.data().length);
            // the same weights with the spectral solver instead: another model, other predictions
            SmdpModel spectral =
                    (SmdpModel) TrainableModel.load(m, Checkpoint.read(r.best()), TrainingOptions.SPECTRAL);
            HostArray other = Reconstruction.run(
                            m, spectral, y, Reconstruction.Request.of("ode", SPEC.steps(), 1, 3), null)
                    .x0();
            HostArray same = Reconstruction.run(m, model, y, Reconstruction.Request.of("ode", SPEC.steps(), 1, 3), null)
                    .x0();
            assertTrue(!java.util.Arrays.equals(other.data(), same.data()));
        }
        // the recorded surrogate must still be there, unchanged
        Files.delete(copy);
        InvalidInputException missing = assertThrows(
                InvalidInputException.class, () -> TrainableModel.load(manager, Checkpoint.read(r.best())));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
        // a surrogate of another grid, and a surrogate as a reconstruction model, are refused
        DatasetSpec otherGrid = DatasetSpec.heat(96, 16, 8, 4, 1, 0.2, 8, 0.1, 0.01, 5);
        InvalidInputException grid = assertThrows(
                InvalidInputException.class,
                () -> SurrogatePhysics.load(manager, surrogateFile, otherGrid, store().normalisation()));
        assertTrue(grid.getMessage().contains("other physics"), grid.getMessage());
        assertThrows(
                InvalidInputException.class,
                () -> options(
                        Method.HEATGEN,
                        TrainingRunTest.TINY_NET,
                        "1:1:8:1e-3:1e-3",
                        SurrogatePhysics.PREFIX + surrogateFile));
        assertThrows(InvalidInputException.class, () -> SurrogatePhysics.checkChoice("learned"));
    }
}
