package dev.smdp4j.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.physics.PhysicsModel;
import dev.smdp4j.problem.Problem;
import dev.smdp4j.sde.Diffusion;
import dev.smdp4j.sde.ForwardSimulation;
import dev.smdp4j.sde.Sde;
import dev.smdp4j.sde.TimeGrid;
import dev.smdp4j.util.EngineArrays;
import dev.smdp4j.util.GaussianNoise;
import dev.smdp4j.util.Seeds;
import dev.smdp4j.util.Shapes;

/**
 * Generates a data set of any {@link Problem}: initial states for training and test from the
 * problem's prior, the normalisation of the training set, and test observations (the problem's
 * observation model, in normalised units). Optionally also noisy Euler-Maruyama training
 * trajectories, for inspection (training simulates fresh ones every epoch).
 *
 * <p>Each random stream has its own seed derived from the user seed and a label ("train",
 * "test", "observation", "trajectories"), so changing one size does not change the other set.
 */
public final class DatasetGenerator {
    private static final int CHUNK = 256;

    private DatasetGenerator() {}

    public static Dataset generate(NDManager parent, DatasetSpec spec, boolean withTrajectories) {
        spec.validate();
        Problem problem = spec.problem();
        HostArray train = problem.initialStates(parent, spec.trainSize(), Seeds.derive(spec.seed(), "train"));
        HostArray test = problem.initialStates(parent, spec.testSize(), Seeds.derive(spec.seed(), "test"));
        Normalisation norm = problem.normalisation(train);
        try (NDManager manager = parent.newSubManager()) {
            PhysicsModel physics = problem.physics(manager, norm);
            HostArray y = problem.observe(
                    manager, physics, norm.normalise(test), spec, Seeds.derive(spec.seed(), "observation"));
            HostArray traj = withTrajectories ? trajectories(manager, physics, norm.normalise(train), spec) : null;
            return new Dataset(
                    spec, norm, train, test, norm.denormalise(y), traj == null ? null : norm.denormalise(traj));
        }
    }

    /** Noisy forward trajectories {@code [n, M + 1, ...state]} in normalised units on the uniform grid. */
    public static HostArray trajectories(NDManager parent, PhysicsModel physics, HostArray x0, DatasetSpec spec) {
        GaussianNoise noise = new GaussianNoise(Seeds.derive(spec.seed(), "trajectories"));
        Sde sde = new Sde(physics, Diffusion.constant(spec.diffusion()));
        TimeGrid grid = TimeGrid.uniform(spec.endTime(), spec.steps());
        int count = x0.dim(0);
        int state = x0.strideOfFirstAxis();
        int per = (spec.steps() + 1) * state;
        int[] stateShape = Shapes.state(x0.shape());
        float[] out = new float[Math.multiplyExact(count, per)];
        for (int start = 0; start < count; start += CHUNK) {
            int b = Math.min(CHUNK, count - start);
            try (NDManager step = parent.newSubManager()) {
                NDArray x = EngineArrays.of(step, x0.rows(start, start + b).data(), Shapes.batch(b, stateShape));
                NDArray states = ForwardSimulation.trajectory(sde, grid, x, noise);
                System.arraycopy(states.toFloatArray(), 0, out, start * per, b * per);
            }
        }
        return new HostArray(out, Shapes.prepend(count, Shapes.prepend(spec.steps() + 1, stateShape)));
    }
}
