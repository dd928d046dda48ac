package dev.smdp4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.nn.FnoConfig;
import dev.smdp4j.nn.NetworkConfig;
import dev.smdp4j.nn.UNetConfig;
import dev.smdp4j.physics.HeatEquation;
import dev.smdp4j.sde.Diffusion;
import dev.smdp4j.sde.Sde;
import dev.smdp4j.util.GaussianNoise;
import dev.smdp4j.util.Scalars;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Gradients must not depend on when the garbage collector runs. DJL's {@code NDArray.mul(Number)}
 * lets autograd keep a scalar whose Java buffer is freed at the next collection; a collection
 * between forward and backward, with the freed memory reused, then changes the gradient. Each test
 * provokes exactly that ({@link #collectAndReuse}) and compares with an undisturbed backward pass.
 */
class AutogradScalarTest {
    private static final float JUNK = 1234f;
    private static NDManager manager;

    @BeforeAll
    static void setUp() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void tearDown() {
        manager.close();
    }

    /**
     * Full collection, then many small direct buffers holding {@link #JUNK}: memory freed by the
     * collection (a dropped scalar's buffer) is handed out again and overwritten.
     */
    private static List<ByteBuffer> collectAndReuse() {
        System.gc();
        try {
            Thread.sleep(20); // the cleaner frees direct buffers on its own thread
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<ByteBuffer> junk = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            ByteBuffer b = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
            b.putFloat(0, JUNK).putFloat(4, JUNK);
            junk.add(b);
        }
        return junk;
    }

    /** d/dx sum(f(x)) at x = 1 (4 elements), with or without a collection between forward and backward. */
    private static float[] gradient(Function<NDArray, NDArray> f, boolean disturb) {
        try (NDManager m = manager.newSubManager()) {
            NDArray x = m.ones(new Shape(4));
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = f.apply(x).sum();
                List<ByteBuffer> junk = disturb ? collectAndReuse() : List.of();
                gc.backward(y);
                assertEquals(disturb ? 400 : 0, junk.size());
            }
            return x.getGradient().toFloatArray();
        }
    }

    /** The defect itself, which makes the tests below meaningful: the disturbance does corrupt DJL's scalar product. */
    @Test
    void theDisturbanceCorruptsDjlsOwnScalarProduct() {
        int corrupted = 0;
        for (int i = 0; i < 5; i++) {
            if (gradient(x -> x.mul(3f), true)[0] != 3f) {
                corrupted++;
            }
        }
        assertNotEquals(0, corrupted, "DJL's mul(Number) survived 5 collections: if DJL fixed it, Scalars may go");
    }

    @Test
    void scalarsKeepTheirOperandForBackward() {
        for (int i = 0; i < 5; i++) {
            assertArrayEquals(new float[] {3f, 3f, 3f, 3f}, gradient(x -> Scalars.mul(x, 3), true));
            assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f, 0.25f}, gradient(x -> Scalars.div(x, 4), true));
        }
    }

    /**
     * The SMDP training loss of every architecture, with anchors and the physics feature: the
     * parameter gradients after a collection between forward and backward equal the undisturbed ones.
     */
    @Test
    void trainingGradientsDoNotDependOnTheGarbageCollector() {
        for (NetworkConfig config :
                List.of(TrainingRunTest.TINY_NET, new UNetConfig(4, 2, 0.0), new FnoConfig(4, 8, 2, 16))) {
            try (NDManager m = manager.newSubManager();
                    HeatEquation heat = new HeatEquation(m, 1)) {
                SmdpModel model = SmdpModel.create(
                        m,
                        Method.SMDP,
                        config,
                        TrainingRunTest.SPEC,
                        new Normalisation(0, 2.4),
                        0.5,
                        2,
                        TrainingOptions.SPECTRAL);
                Sde sde = new Sde(heat, Diffusion.constant(0.1));
                UnrolledOdeObjective objective =
                        new UnrolledOdeObjective(sde, sde, model.network(), 0.2, 8, true, 2, 1, 0);
                NDArray x0 = new GaussianNoise(3).next(m, new Shape(2, 16, 16));
                float[][] clean = parameterGradients(model, objective, x0, false);
                for (int repeat = 0; repeat < 3; repeat++) {
                    float[][] disturbed = parameterGradients(model, objective, x0, true);
                    for (int p = 0; p < clean.length; p++) {
                        assertArrayEquals(
                                clean[p],
                                disturbed[p],
                                config.getClass().getSimpleName() + ": gradient of parameter " + p);
                    }
                }
            }
        }
    }

    private static float[][] parameterGradients(SmdpModel model, Objective objective, NDArray x0, boolean disturb) {
        try (NDManager step = x0.getManager().newSubManager()) {
            NDArray x = x0.duplicate();
            x.attach(step);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray loss = objective.loss(x, 3, new GaussianNoise(4));
                List<ByteBuffer> junk = disturb ? collectAndReuse() : List.of();
                gc.backward(loss);
                assertEquals(disturb ? 400 : 0, junk.size());
            }
        }
        return model.block().getParameters().values().stream()
                .map(p -> {
                    NDArray g = p.getArray().getGradient();
                    float[] v = g.toFloatArray();
                    g.set(new NDIndex("..."), 0f);
                    return v;
                })
                .toArray(float[][]::new);
    }
}
