package dev.smdp4j.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.smdp4j.score.ScoreModel;
import dev.smdp4j.sde.Sde;
import dev.smdp4j.sde.TimeGrid;
import dev.smdp4j.util.NoiseSource;
import dev.smdp4j.util.Scalars;
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

    /**
     * The state at {@code t_0}, in {@code xT}'s manager.
     *
     * @throws NonFiniteStateException as soon as a step leaves a non-finite value in some item
     */
    public NDArray sample(NDArray xT, Sde sde, ScoreModel score, TimeGrid grid, NoiseSource noise) {
        return sample(xT, sde, score, grid, noise, null);
    }

    /** Receives the state reached at each grid index on the way back, e.g. to record paths. */
    @FunctionalInterface
    public interface PathObserver {
        /** The state at grid index {@code index} ({@code x}'s arrays are freed after the call: copy what you keep). */
        void onState(int index, NDArray x);
    }

    /** As {@link #sample(NDArray, Sde, ScoreModel, TimeGrid, NoiseSource)}, showing {@code observer} every state. */
    public NDArray sample(
            NDArray xT, Sde sde, ScoreModel score, TimeGrid grid, NoiseSource noise, PathObserver observer) {
        return sample(xT, sde, score, grid, noise, observer, true);
    }

    /**
     * As {@link #sample(NDArray, Sde, ScoreModel, TimeGrid, NoiseSource, PathObserver)}; unless
     * {@code stopOnNonFinite}, items that leave finite values are carried on (as NaN or infinite)
     * instead of failing the batch, for evaluations that count them (every operation of a step acts
     * on each item alone, so they do not touch the others).
     */
    public NDArray sample(
            NDArray xT,
            Sde sde,
            ScoreModel score,
            TimeGrid grid,
            NoiseSource noise,
            PathObserver observer,
            boolean stopOnNonFinite) {
        Context c = new Context(sde, score, grid, noise);
        NDArray x = xT;
        if (observer != null) {
            observer.onState(grid.steps(), xT);
        }
        for (int m = grid.steps(); m >= 1; m--) {
            int step = m;
            x = Scopes.replace(xT.getManager(), x, xT, v -> step(v, step, c));
            if (observer != null) {
                observer.onState(m - 1, x);
            }
            int bad = stopOnNonFinite ? firstNonFiniteItem(x) : -1;
            if (bad >= 0) {
                if (x != xT) {
                    x.close();
                }
                throw new NonFiniteStateException(name(), bad, grid.steps() - m + 1, grid.steps());
            }
        }
        return x;
    }

    /**
     * The first item (index along axis 0) whose sum is not finite, or -1: one small reduction and
     * a copy of one float per item per step. An overflowing but finite item counts as non-finite.
     */
    private static int firstNonFiniteItem(NDArray x) {
        try (NDManager scope = x.getManager().newSubManager()) {
            x.tempAttach(scope);
            long items = x.getShape().get(0);
            float[] sums = x.reshape(items, -1).sum(new int[] {1}).toFloatArray();
            for (int i = 0; i < sums.length; i++) {
                if (!Float.isFinite(sums[i])) {
                    return i;
                }
            }
            return -1;
        }
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
            return Scalars.mul(noise.next(x.getManager(), x.getShape()), g(m) * Math.sqrt(span(m)));
        }
    }
}
