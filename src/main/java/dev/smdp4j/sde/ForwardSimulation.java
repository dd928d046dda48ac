package dev.smdp4j.sde;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.smdp4j.util.NoiseSource;
import dev.smdp4j.util.Scopes;

/**
 * Euler-Maruyama trajectories of the forward SDE with the exact physics step as drift (heat
 * benchmark spec): {@code x_{i+1} = x_i + P_{d_i}(x_i) + g(t_i) sqrt(d_i) z_i}.
 *
 * <p>DJL puts an op's result in the manager of its left operand, so the state is kept in a scope
 * that collects the step temporaries and only the results are moved out.
 */
public final class ForwardSimulation {
    private ForwardSimulation() {
    }

    /** States {@code [B, M + 1, N, N]} from {@code x0} ({@code [B, N, N]}), in {@code x0}'s manager. */
    public static NDArray trajectory(Sde sde, TimeGrid grid, NDArray x0, NoiseSource noise) {
        return trajectory(sde, grid, x0, noise, grid.steps());
    }

    /**
     * The first {@code steps} steps only: states {@code [B, steps + 1, N, N]} at times
     * {@code t_0 .. t_steps}, in {@code x0}'s manager. The noise drawn is the first {@code steps}
     * draws of the whole trajectory's, so the states equal the whole trajectory's first ones.
     *
     * @throws IllegalArgumentException unless {@code 0 <= steps <= grid.steps()}
     */
    public static NDArray trajectory(Sde sde, TimeGrid grid, NDArray x0, NoiseSource noise, int steps) {
        return extend(sde, grid, x0.expandDims(1), noise, steps);
    }

    /**
     * {@code states} ({@code [B, k + 1, N, N]}, times {@code t_0 .. t_k}) continued to time
     * {@code t_steps}: {@code [B, steps + 1, N, N]} in the manager of {@code states}, the first
     * {@code k + 1} states unchanged. All steps share one scope (every state is kept anyway; the
     * step temporaries are a few more arrays of the same size), which saves a manager per step.
     *
     * @throws IllegalArgumentException unless {@code k <= steps <= grid.steps()}
     */
    public static NDArray extend(Sde sde, TimeGrid grid, NDArray states, NoiseSource noise, int steps) {
        int known = (int) states.getShape().get(1) - 1;
        if (steps < known || steps > grid.steps()) {
            throw new IllegalArgumentException("steps " + steps + " outside " + known + ".." + grid.steps());
        }
        NDManager out = states.getManager();
        try (NDManager scope = out.newSubManager()) {
            NDArray x = states.get(":, " + known);
            x.attach(scope); // every op's result now lands in the scope
            NDList next = new NDList(steps - known + 1);
            next.add(states);
            for (int i = known; i < steps; i++) {
                x = drift(sde, grid, i, x, noise);
                next.add(x.expandDims(1));
            }
            NDArray stacked = NDArrays.concat(next, 1);
            stacked.attach(out);
            return stacked;
        }
    }

    /** The end state {@code x_M} only, in {@code x0}'s manager; intermediates are freed as it goes. */
    public static NDArray endState(Sde sde, TimeGrid grid, NDArray x0, NoiseSource noise) {
        NDArray x = x0;
        for (int i = 0; i < grid.steps(); i++) {
            int step = i;
            x = Scopes.replace(x0.getManager(), x, x0, v -> drift(sde, grid, step, v, noise));
        }
        return x;
    }

    /** {@code x + P_d(x) + g(t_i) sqrt(d) z}, with results in {@code x}'s manager. */
    private static NDArray drift(Sde sde, TimeGrid grid, int i, NDArray x, NoiseSource noise) {
        double d = grid.span(i);
        double scale = sde.diffusion().at(grid.time(i)) * Math.sqrt(d);
        NDArray next = sde.physics().advance(x, d);
        return scale == 0 ? next : next.add(noise.next(x.getManager(), x.getShape()).mul(scale));
    }
}
