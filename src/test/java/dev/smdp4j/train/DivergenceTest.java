package dev.smdp4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.smdp4j.EngineTest;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.ParameterIO;
import dev.smdp4j.physics.GaussianRandomField;
import dev.smdp4j.physics.HeatEquation;
import dev.smdp4j.sde.Diffusion;
import dev.smdp4j.sde.Sde;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * NaN injection into training: an objective that, on chosen steps, returns a NaN loss or a finite
 * loss with NaN gradients. Such steps are skipped and counted and leave the weights untouched;
 * too many in a row stop training with a message that suggests a lower learning rate.
 */
class DivergenceTest extends EngineTest {
    static final Normalisation NORM = new Normalisation(0, 2.4);

    /** Wraps a real objective; step numbers count calls from 0. */
    static final class Injecting implements Objective {
        final Objective inner;
        final Set<Integer> nanLoss;
        final Set<Integer> nanGradient;
        final int nanFrom;
        int call;

        Injecting(Objective inner, Set<Integer> nanLoss, Set<Integer> nanGradient, int nanFrom) {
            this.inner = inner;
            this.nanLoss = nanLoss;
            this.nanGradient = nanGradient;
            this.nanFrom = nanFrom;
        }

        @Override
        public NDArray loss(NDArray x0, int window, dev.smdp4j.util.GaussianNoise random) {
            int k = call++;
            NDArray loss = inner.loss(x0, window, random);
            if (nanLoss.contains(k) || k >= nanFrom) {
                return loss.mul(Float.NaN);
            }
            if (nanGradient.contains(k)) {
                // Value unchanged (+ sqrt(0) = 0), gradient 0 * d sqrt(u)/du at 0 = 0 * inf = NaN.
                return loss.add(loss.mul(0).sqrt());
            }
            return loss;
        }
    }

    private record Outcome(
            List<Boolean> applied, List<Integer> skippedPerEpoch, Map<String, HostArray> weights, long adamSteps) {}

    private static Outcome train(
            NDManager m, Set<Integer> nanLoss, Set<Integer> nanGradient, int nanFrom, String schedule) {
        SmdpModel model = SmdpModel.create(m, TrainingRunTest.TINY_NET, TrainingRunTest.SPEC, NORM, 0.5, 1);
        try (HeatEquation heat = new HeatEquation(m, 1);
                Adam adam = Adam.builder().build(model.block())) {
            Sde sde = new Sde(heat, Diffusion.constant(0.1));
            Objective objective = new Injecting(
                    new UnrolledOdeObjective(sde, model.network(), 0.2, 8, false), nanLoss, nanGradient, nanFrom);
            HostArray x0 = new GaussianRandomField(4).sample(m, 32, 16, 5).normalised(0, 2.4);
            TrainingLoop loop = new TrainingLoop(m, objective, adam, x0, WindowSchedule.parse(schedule), 1, false);
            List<Boolean> applied = new ArrayList<>();
            List<Integer> skipped = new ArrayList<>();
            List<Map<String, HostArray>> before = new ArrayList<>();
            loop.run(
                    Position.START,
                    new TrainingLoop.Listener() {
                        @Override
                        public void onStep(Position position, Stage stage, double lr, double loss, boolean ok) {
                            Map<String, HostArray> now = ParameterIO.export(model.block());
                            if (!ok && !before.isEmpty()) {
                                for (String key : now.keySet()) {
                                    assertEquals(
                                            java.util.Arrays.toString(
                                                    before.get(0).get(key).data()),
                                            java.util.Arrays.toString(
                                                    now.get(key).data()),
                                            "a skipped step changed " + key);
                                }
                            }
                            before.clear();
                            before.add(now);
                            applied.add(ok);
                        }

                        @Override
                        public void onEpochEnd(
                                int s, int e, Position next, Stage stage, double meanLoss, int skippedSteps) {
                            skipped.add(skippedSteps);
                        }
                    },
                    null);
            return new Outcome(applied, skipped, ParameterIO.export(model.block()), adam.steps());
        }
    }

    @Test
    void sporadicNonFiniteLossesAndGradientsAreSkippedAndCounted() {
        try (NDManager m = manager.newSubManager()) {
            // 32 fields / batch 8 = 4 steps per epoch, 3 epochs
            Outcome o = train(m, Set.of(1, 6), Set.of(2, 9), Integer.MAX_VALUE, "1:3:8:1e-3:1e-3");
            assertEquals(12, o.applied().size());
            for (int k = 0; k < 12; k++) {
                assertEquals(!Set.of(1, 2, 6, 9).contains(k), o.applied().get(k), "step " + k);
            }
            assertEquals(List.of(2, 1, 1), o.skippedPerEpoch());
            assertEquals(8, o.adamSteps());
            o.weights().forEach((k, v) -> assertEquals(-1, v.firstNonFinite(), k));
        }
    }

    @Test
    void persistentNonFiniteLossStopsAfterTheLimitWithAdvice() {
        try (NDManager m = manager.newSubManager()) {
            TrainingDivergedException e = assertThrows(
                    TrainingDivergedException.class, () -> train(m, Set.of(), Set.of(), 3, "1:20:8:1e-3:1e-3"));
            assertTrue(
                    e.getMessage().contains(TrainingLoop.MAX_CONSECUTIVE_SKIPS + " consecutive steps"), e.getMessage());
            assertTrue(e.getMessage().contains("lower the learning rate"), e.getMessage());
        }
    }

    @Test
    void persistentNonFiniteGradientsAlsoStop() {
        try (NDManager m = manager.newSubManager()) {
            Set<Integer> all = new java.util.HashSet<>();
            for (int k = 5; k < 200; k++) {
                all.add(k);
            }
            TrainingDivergedException e = assertThrows(
                    TrainingDivergedException.class,
                    () -> train(m, Set.of(), all, Integer.MAX_VALUE, "1:20:8:1e-3:1e-3"));
            assertTrue(e.getMessage().contains("non-finite loss or gradient"), e.getMessage());
        }
    }
}
