package dev.smdp4j.sample;

import ai.djl.ndarray.NDArray;
import dev.smdp4j.score.ScoreModel;
import dev.smdp4j.sde.Sde;
import dev.smdp4j.sde.TimeGrid;
import dev.smdp4j.util.NoiseSource;
import dev.smdp4j.util.Scopes;

/**
 * Integrates backward in time from an observed end state {@code x_T} to {@code t_0}, on any time
 * grid, batched over the leading axis. Subclasses define one step from {@code t_m} to
 * {@code t_{m-1}}; this class runs the loop with a per-step {@code NDManager} scope.
 */
public abstract class Sampler {

    /** The registered name, e.g. {@code sde}. */
    public abstract String name();

    /** One step from grid index {@code m} to {@code m - 1}; results in {@code x}'s manager. */
    protected abstract NDArray step(NDArray x, int m, Context c);

    /** The state at {@code t_0}, in {@code xT}'s manager. */
    public NDArray sample(NDArray xT, Sde sde, ScoreModel score, TimeGrid grid, NoiseSource noise) {
        Context c = new Context(sde, score, grid, noise);
        NDArray x = xT;
        for (int m = grid.steps(); m >= 1; m--) {
            int step = m;
            x = Scopes.replace(xT.getManager(), x, xT, v -> step(v, step, c));
        }
        return x;
    }

    /** What every step needs: the SDE, the score, the grid and the noise. */
    protected record Context(Sde sde, ScoreModel score, TimeGrid grid, NoiseSource noise) {
        double span(int m) {
            return grid.span(m - 1);
        }

        double g(int m) {
            return sde.diffusion().at(grid.time(m));
        }

        /**
         * The reverse-time Euler step with score weight {@code lambda} (Algorithm 1):
         * {@code x - P_d(x) + lambda d g(t_m)^2 s(x, t_m)}, the noise-free part of every step.
         */
        NDArray reverseDrift(NDArray x, int m, double lambda) {
            return ReverseStep.drift(sde, score, x, grid.time(m), span(m), lambda);
        }

        /** Diffusion noise {@code g(t_m) sqrt(d) z}. */
        NDArray diffusionNoise(NDArray x, int m) {
            return noise.next(x.getManager(), x.getShape()).mul(g(m) * Math.sqrt(span(m)));
        }
    }
}
