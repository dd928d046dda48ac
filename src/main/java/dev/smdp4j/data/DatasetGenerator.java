package dev.smdp4j.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.physics.GaussianRandomField;
import dev.smdp4j.physics.HeatEquation;
import dev.smdp4j.sde.Diffusion;
import dev.smdp4j.sde.ForwardSimulation;
import dev.smdp4j.sde.Sde;
import dev.smdp4j.sde.TimeGrid;
import dev.smdp4j.util.GaussianNoise;
import dev.smdp4j.util.Seeds;
import dev.smdp4j.util.Scalars;
import dev.smdp4j.util.EngineArrays;

/**
 * Generates the heat benchmark (docs/BENCHMARK.md): Gaussian random field initial states for
 * training and test, the normalisation of the training set, and test observations
 * {@code y = H_T(x0) + s e} computed in normalised units. Optionally also noisy Euler-Maruyama
 * training trajectories, for inspection (training simulates fresh ones every epoch).
 *
 * <p>Each random stream has its own seed derived from the user seed and a label ("train",
 * "test", "observation", "trajectories"), so changing one size does not change the other set.
 */
public final class DatasetGenerator {
    private static final int CHUNK = 256;

    private DatasetGenerator() {
    }

    public static HeatDataset generate(NDManager parent, DatasetSpec spec, boolean withTrajectories) {
        spec.validate();
        int n = spec.gridSize();
        GaussianRandomField prior = new GaussianRandomField(spec.exponent());
        HostArray train = prior.sample(parent, spec.trainSize(), n, Seeds.derive(spec.seed(), "train"));
        HostArray test = prior.sample(parent, spec.testSize(), n, Seeds.derive(spec.seed(), "test"));
        Normalisation norm = Normalisation.of(train);
        try (NDManager manager = parent.newSubManager();
                HeatEquation heat = new HeatEquation(manager, spec.alpha())) {
            HostArray y = observe(manager, heat, norm.normalise(test), spec, Seeds.derive(spec.seed(), "observation"));
            HostArray traj = withTrajectories ? trajectories(manager, heat, norm.normalise(train), spec) : null;
            return new HeatDataset(spec, norm, train, test, norm.denormalise(y),
                    traj == null ? null : norm.denormalise(traj));
        }
    }

    /** {@code H_T(x0) + s e} in normalised units, the exact end state plus observation noise drawn with {@code seed}. */
    public static HostArray observe(NDManager parent, HeatEquation heat, HostArray x0, DatasetSpec spec, long seed) {
        GaussianNoise noise = new GaussianNoise(seed);
        int count = x0.dim(0);
        int n = spec.gridSize();
        float[] out = new float[x0.size()];
        for (int start = 0; start < count; start += CHUNK) {
            int b = Math.min(CHUNK, count - start);
            try (NDManager step = parent.newSubManager()) {
                Shape shape = new Shape(b, n, n);
                NDArray x = EngineArrays.of(step, x0.rows(start, start + b).data(), shape);
                NDArray y = heat.advance(x, spec.endTime());
                if (spec.observationNoise() > 0) {
                    y = y.add(Scalars.mul(noise.next(step, shape), spec.observationNoise()));
                }
                System.arraycopy(y.toFloatArray(), 0, out, start * n * n, b * n * n);
            }
        }
        return new HostArray(out, count, n, n);
    }

    /** Noisy forward trajectories {@code [n, M + 1, N, N]} in normalised units on the uniform grid. */
    static HostArray trajectories(NDManager parent, HeatEquation heat, HostArray x0, DatasetSpec spec) {
        GaussianNoise noise = new GaussianNoise(Seeds.derive(spec.seed(), "trajectories"));
        Sde sde = new Sde(heat, Diffusion.constant(spec.diffusion()));
        TimeGrid grid = TimeGrid.uniform(spec.endTime(), spec.steps());
        int count = x0.dim(0);
        int n = spec.gridSize();
        int per = (spec.steps() + 1) * n * n;
        float[] out = new float[Math.multiplyExact(count, per)];
        for (int start = 0; start < count; start += CHUNK) {
            int b = Math.min(CHUNK, count - start);
            try (NDManager step = parent.newSubManager()) {
                NDArray x = EngineArrays.of(step, x0.rows(start, start + b).data(), new Shape(b, n, n));
                NDArray states = ForwardSimulation.trajectory(sde, grid, x, noise);
                System.arraycopy(states.toFloatArray(), 0, out, start * per, b * per);
            }
        }
        return new HostArray(out, count, spec.steps() + 1, n, n);
    }
}
