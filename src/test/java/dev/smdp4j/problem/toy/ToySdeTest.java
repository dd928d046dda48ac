package dev.smdp4j.problem.toy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.GradientCollector;
import dev.smdp4j.data.Dataset;
import dev.smdp4j.data.DatasetGenerator;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.DatasetStore;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.nn.MlpConfig;
import dev.smdp4j.nn.MlpNetwork;
import dev.smdp4j.sample.Samplers;
import dev.smdp4j.sde.Diffusion;
import dev.smdp4j.sde.Sde;
import dev.smdp4j.sde.TimeGrid;
import dev.smdp4j.util.EngineArrays;
import dev.smdp4j.util.ItemNoise;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The toy SDE problem: physics, data, metric, the MLP's exact derivatives, and the exact-score reference. */
class ToySdeTest {
    @TempDir
    Path tmp;

    @Test
    void driftIsTheEulerIncrementAndDifferentiable() {
        try (NDManager m = NDManager.newBaseManager()) {
            ToyDrift drift = new ToyDrift(7);
            float[] xs = {-1.5f, -0.3f, 0f, 0.2f, 1f};
            NDArray x = EngineArrays.of(m, xs, new Shape(5, 1));
            x.setRequiresGradient(true);
            float[] inc;
            try (GradientCollector c = Engine.getInstance().newGradientCollector()) {
                NDArray p = drift.increment(x, 0.02);
                inc = p.toFloatArray();
                c.backward(p.sum());
            }
            float[] grad = x.getGradient().toFloatArray();
            for (int i = 0; i < xs.length; i++) {
                assertEquals(-7 * 0.02 * Math.abs(xs[i]) * xs[i], inc[i], 1e-6);
                assertEquals(-7 * 0.02 * 2 * Math.abs(xs[i]), grad[i], 1e-5, "d/dx of -lambda d |x| x");
            }
        }
    }

    @Test
    void dataAlternateTheModesAndObserveNoisyEndStates(@TempDir Path dir) {
        DatasetSpec spec = new DatasetSpec(ToySde.paper(), 10, 400, 10, 499, 0.03, 0, 3);
        try (NDManager m = NDManager.newBaseManager()) {
            Dataset data = DatasetGenerator.generate(m, spec, false);
            assertArrayEquals(new int[] {10, 1}, data.trainX0().shape());
            assertArrayEquals(
                    new float[] {1, -1, 1, -1},
                    java.util.Arrays.copyOf(data.testX0().data(), 4));
            assertEquals(0, data.normalisation().mean());
            assertEquals(1, data.normalisation().std());
            // End states: the deterministic part is 1/(1 + 7 T) = 1/71 in size, the noise about g sqrt(T) = 0.095
            // minus what the drift removes; both modes' ends overlap, so their mean is near zero.
            float[] y = data.testY().data();
            double mean = 0;
            double sq = 0;
            for (float v : y) {
                mean += v / y.length;
                sq += v * (double) v / y.length;
            }
            double sd = Math.sqrt(sq - mean * mean);
            assertTrue(Math.abs(mean) < 0.01, "end states centred: " + mean);
            assertTrue(sd > 0.01 && sd < 0.095, "end-state spread below the driftless g sqrt(T): " + sd);
            DatasetStore.write(dir, data);
            DatasetStore store = DatasetStore.open(dir);
            assertEquals(spec, store.spec(), "dataset.json records the problem and its parameters");
            assertArrayEquals(data.testY().data(), store.testY().data());
        }
    }

    @Test
    void modeHitsAndQ() {
        ModeHits h = ModeHits.of(new float[] {-1f, -0.995f, 1.02f, 1.005f, 0f, 0.5f, 1f, -1.2f}, 0.01);
        assertEquals(2 / 8.0, h.minus());
        assertEquals(2 / 8.0, h.plus());
        assertEquals(0.5, h.q());
        assertEquals(0, ModeHits.of(new float[] {1, 1, 1}, 0.01).q(), "one mode only: Q = 0");
        assertEquals(1, ModeHits.of(new float[] {1, -1}, 0.01).q(), "both equally: Q = 1");
        assertEquals(
                0.5,
                new ToySde(7)
                        .metrics(
                                new HostArray(new float[] {1, -1, 1, -1}, 4, 1),
                                new HostArray(new float[] {1, 1, 1, -1}, 4, 1),
                                null)
                        .get("q_loss"),
                1e-12,
                "Q = 2 min(1/4, 3/4)");
        // The selection metric ranks by Q at 1% first, then at 10%.
        double near = selection(1.05f, -1.05f, 1.05f, -1.05f); // none within 1%, all within 10%
        double far = selection(0.5f, -0.5f, 0.5f, -0.5f); // none within either
        double some = selection(1f, -1f, 0.5f, 0.5f); // half within 1%
        assertTrue(near < far, near + " vs " + far);
        assertTrue(some < near, some + " vs " + near);
    }

    private static double selection(float... ends) {
        float[] truth = new float[ends.length];
        java.util.Arrays.fill(truth, 1f);
        return new ToySde(7)
                .metrics(new HostArray(truth, truth.length, 1), new HostArray(ends, ends.length, 1), null)
                .get(ToySde.SELECTION);
    }

    @Test
    void invalidParametersAreRejected() {
        assertThrows(InvalidInputException.class, () -> new ToySde(-1));
        DatasetSpec noNoise = new DatasetSpec(ToySde.paper(), 10, 10, 10, 499, 0, 0, 0);
        InvalidInputException e = assertThrows(InvalidInputException.class, noNoise::validateForData);
        assertTrue(e.getMessage().contains("--diffusion"), e.getMessage());
    }

    /** The MLP's forward-mode derivative equals a central difference of its output, for every hidden layer's activation. */
    @Test
    void mlpJacobianVectorProductMatchesFiniteDifferences() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = smallMlp(m, 4);
            MlpNetwork net = new MlpNetwork(block, 3.0);
            double[] xs = {-0.7, -0.05, 0.3, 1.1};
            float[] xf = new float[xs.length];
            for (int i = 0; i < xs.length; i++) {
                xf[i] = (float) xs[i];
            }
            NDArray x = EngineArrays.of(m, xf, new Shape(4, 1));
            NDArray ones = EngineArrays.of(m, new float[] {1, 1, 1, 1}, new Shape(4, 1));
            float[] jvp = net.jvp(x, 0.7, ones).derivative().toFloatArray();
            float h = 1e-2f;
            float[] plus = net.output(EngineArrays.of(m, shift(xf, h), new Shape(4, 1)), 0.7)
                    .toFloatArray();
            float[] minus = net.output(EngineArrays.of(m, shift(xf, -h), new Shape(4, 1)), 0.7)
                    .toFloatArray();
            for (int i = 0; i < xs.length; i++) {
                double fd = (plus[i] - minus[i]) / (2 * h);
                assertEquals(fd, jvp[i], 2e-3 * Math.max(1, Math.abs(fd)), "d net / dx at x = " + xs[i]);
            }
            assertArrayEquals(
                    net.output(x, 0.7).toFloatArray(),
                    net.jvp(x, 0.7, ones).output().toFloatArray());
        }
    }

    /**
     * A time per row gives each row what the scalar-time pass gives it at its own time (output and
     * forward-mode derivative), with the time-scaled output of the toy's network.
     */
    @Test
    void mlpWithATimePerRowMatchesTheScalarPassRowByRow() {
        try (NDManager m = NDManager.newBaseManager()) {
            Block block = smallMlp(m, 5);
            MlpNetwork net = new MlpNetwork(block, 3.0, 30, 10);
            float[] xf = {-0.9f, 0.02f, 0.5f, 0.88f};
            double[] times = {0.02, 9.5, 0.3, 0.02};
            NDArray x = EngineArrays.of(m, xf, new Shape(4, 1));
            NDArray v = EngineArrays.of(m, new float[] {1, -2, 0.5f, 3}, new Shape(4, 1));
            MlpNetwork.Jvp rows = net.jvp(x, times, v);
            for (int i = 0; i < xf.length; i++) {
                NDArray xi = EngineArrays.of(m, new float[] {xf[i]}, new Shape(1, 1));
                NDArray vi = EngineArrays.of(m, new float[] {v.toFloatArray()[i]}, new Shape(1, 1));
                MlpNetwork.Jvp one = net.jvp(xi, times[i], vi);
                float out = one.output().getFloat();
                float derivative = one.derivative().getFloat();
                assertEquals(out, rows.output().toFloatArray()[i], 1e-5 * Math.max(1, Math.abs(out)), "row " + i);
                assertEquals(
                        derivative,
                        rows.derivative().toFloatArray()[i],
                        1e-5 * Math.max(1, Math.abs(derivative)),
                        "derivative, row " + i);
            }
            assertArrayEquals(rows.output().toFloatArray(), net.output(x, times).toFloatArray());
            assertThrows(IllegalArgumentException.class, () -> net.output(x, new double[] {0.1}));
        }
    }

    /** An MLP with hidden layers 7 and 5 on {@code (x, log t)}, initialised from the engine seed {@code seed}. */
    private static Block smallMlp(NDManager m, int seed) {
        MlpConfig config = new MlpConfig(java.util.List.of(7, 5), 1);
        Block block = config.build(2);
        Engine.getInstance().setRandomSeed(seed);
        block.initialize(m, DataType.FLOAT32, config.inputShape(2, new int[] {1}));
        return block;
    }

    private static float[] shift(float[] x, float h) {
        float[] out = x.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += h;
        }
        return out;
    }

    /**
     * The reverse SDE driven by the exact Fokker-Planck score reaches both modes equally from the
     * evaluation starts (at the reference's 10% tolerance), and the probability-flow ODE splits
     * the starts by sign.
     */
    @Test
    void samplersDrivenByTheExactScoreReachBothModes() {
        ToySde toy = ToySde.paper();
        DatasetSpec spec = toy.defaultSpec();
        try (NDManager m = NDManager.newBaseManager()) {
            Sde sde = new Sde(new ToyDrift(7), Diffusion.constant(0.03));
            ToyExactScore score = new ToyExactScore(7, 0.03, 10);
            float[] starts = ToyEvaluation.starts();
            for (String sampler : new String[] {"sde", "pf-ode"}) {
                NDArray y = EngineArrays.of(m, starts, new Shape(starts.length, 1));
                float[] ends = Samplers.create(sampler)
                        .sample(
                                y,
                                sde,
                                score,
                                TimeGrid.uniform(spec.endTime(), 500),
                                new ItemNoise(11, 0, starts.length))
                        .toFloatArray();
                ModeHits hits = ModeHits.of(ends, ModeHits.LOOSE);
                assertTrue(hits.q() > 0.85, sampler + ": both modes reached, " + hits);
                assertTrue(hits.minus() + hits.plus() > 0.95, sampler + ": nearly every path ends at a mode, " + hits);
            }
        }
    }
}
