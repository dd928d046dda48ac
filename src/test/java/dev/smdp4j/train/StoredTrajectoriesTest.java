package dev.smdp4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.problem.toy.ToyDrift;
import dev.smdp4j.score.NetworkOutput;
import dev.smdp4j.sde.Diffusion;
import dev.smdp4j.sde.Sde;
import dev.smdp4j.util.EngineArrays;
import dev.smdp4j.util.GaussianNoise;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Training on stored (imported) trajectories takes the window's states from them, simulating nothing. */
class StoredTrajectoriesTest {
    static final NetworkOutput ZERO = new NetworkOutput() {
        @Override
        public NDArray output(NDArray x, double t) {
            return x.zerosLike();
        }

        @Override
        public String describe() {
            return "zero";
        }
    };

    /** A network whose output depends on the time, {@code net(x, t) = x + t}; rows at their own times by the default. */
    static final NetworkOutput SHIFT_BY_TIME = new NetworkOutput() {
        @Override
        public NDArray output(NDArray x, double t) {
            return dev.smdp4j.util.Scalars.add(x, t);
        }

        @Override
        public String describe() {
            return "shift-by-time";
        }
    };

    /**
     * With independent times, every field contributes its terms at its own time indices (the
     * objective's first uniforms, as window starts), each the one-step error of the same ODE
     * step as the windows' ({@code odeStep}), averaged over all terms.
     */
    @Test
    void independentTimesAverageTheOneStepErrorsOfEveryRow() {
        int b = 3;
        int perField = 4;
        int steps = 12;
        double end = 1.5;
        Random r = new Random(7);
        float[] traj = new float[b * (steps + 1)];
        for (int i = 0; i < traj.length; i++) {
            traj[i] = (float) r.nextGaussian();
        }
        Sde sde = new Sde(new ToyDrift(2), Diffusion.constant(0.1));
        UnrolledOdeObjective objective = new UnrolledOdeObjective(sde, SHIFT_BY_TIME, end, steps, false)
                .withEarlyTimes()
                .withIndependentTimes(perField);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray batch = EngineArrays.of(m, traj, new Shape(b, steps + 1, 1));
            float loss = ((UnrolledOdeObjective) objective.onStoredTrajectories())
                    .loss(batch, 1, new GaussianNoise(11))
                    .getFloat();
            GaussianNoise draws = new GaussianNoise(11);
            dev.smdp4j.sde.TimeGrid grid = dev.smdp4j.sde.TimeGrid.uniform(end, steps);
            double expected = 0;
            java.util.Set<Integer> seen = new java.util.HashSet<>();
            for (int i = 0; i < b * perField; i++) {
                int start = objective.windowStart(1, draws.nextUniform());
                seen.add(start);
                int field = i / perField;
                NDArray x = EngineArrays.of(m, new float[] {traj[field * (steps + 1) + start]}, new Shape(1, 1));
                double predicted = objective.odeStep(x, start, grid).getFloat();
                double previous = traj[field * (steps + 1) + start - 1];
                expected += (predicted - previous) * (predicted - previous) / (b * perField);
            }
            assertTrue(seen.size() > 1, "the rows should have drawn different times");
            assertEquals(expected, loss, 1e-5 * expected);
        }
        assertThrows(
                InvalidInputException.class,
                () -> new UnrolledOdeObjective(sde, SHIFT_BY_TIME, end, steps, true).withIndependentTimes(2));
    }

    /**
     * The default time-per-row pass (one scalar pass per distinct time) gives every row what the
     * scalar pass gives it, in the rows' order, for repeated times in any order and states of more
     * than one value.
     */
    @Test
    void aTimePerRowByDefaultMatchesTheScalarPassRowByRow() {
        double[] times = {0.3, 0.1, 0.3, 0.7, 0.1};
        float[] x = new float[times.length * 2];
        for (int i = 0; i < x.length; i++) {
            x[i] = i * 0.25f - 1;
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray rows = EngineArrays.of(m, x, new Shape(times.length, 2));
            float[] out = SHIFT_BY_TIME.output(rows, times).toFloatArray();
            for (int i = 0; i < times.length; i++) {
                for (int j = 0; j < 2; j++) {
                    assertEquals(x[2 * i + j] + times[i], out[2 * i + j], 1e-6, "row " + i + ", value " + j);
                }
            }
            assertThrows(IllegalArgumentException.class, () -> SHIFT_BY_TIME.output(rows, new double[] {0.1}));
        }
    }

    @Test
    void theOneStepLossIsComputedFromTheStoredStates() {
        int b = 5;
        int steps = 10;
        double end = 1;
        double d = end / steps;
        Random r = new Random(3);
        float[] traj = new float[b * (steps + 1)];
        for (int i = 0; i < traj.length; i++) {
            traj[i] = (float) r.nextGaussian(); // not a trajectory of the physics: nothing may be simulated
        }
        Sde sde = new Sde(new ToyDrift(2), Diffusion.constant(0.1));
        UnrolledOdeObjective objective = new UnrolledOdeObjective(sde, ZERO, end, steps, false);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray batch = EngineArrays.of(m, traj, new Shape(b, steps + 1, 1));
            float loss = objective
                    .onStoredTrajectories()
                    .loss(batch, 1, new GaussianNoise(9))
                    .getFloat();
            // The window start as the objective draws it: the first uniform of the same stream.
            int start = 1 + (int) Math.floor(new GaussianNoise(9).nextUniform() * steps);
            double expected = 0;
            for (int i = 0; i < b; i++) {
                double xm = traj[i * (steps + 1) + start];
                double previous = traj[i * (steps + 1) + start - 1];
                double predicted = xm + 2 * d * Math.abs(xm) * xm; // x - P_d(x), zero score
                expected += (predicted - previous) * (predicted - previous) / b;
            }
            assertEquals(expected, loss, 1e-5 * Math.max(1, expected));
        }
    }

    @Test
    void jitterAndMethodsThatSimulateRefuseStoredTrajectories() {
        Sde sde = new Sde(new ToyDrift(2), Diffusion.constant(0.1));
        assertThrows(
                InvalidInputException.class,
                () -> new UnrolledOdeObjective(sde, ZERO, 1, 10, true).onStoredTrajectories());
        Objective plain = (x0, window, random) -> x0;
        assertThrows(InvalidInputException.class, plain::onStoredTrajectories);
    }
}
