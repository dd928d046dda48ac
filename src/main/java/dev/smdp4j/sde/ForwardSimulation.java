package dev.smdp4j.sde;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.smdp4j.physics.FourierMultiplier;
import dev.smdp4j.util.NoiseSource;
import dev.smdp4j.util.Scalars;
import dev.smdp4j.util.Scopes;

/**
 * Euler-Maruyama trajectories of the forward SDE with the exact physics step as drift (heat
 * benchmark spec): {@code x_{i+1} = x_i + P_{d_i}(x_i) + g(t_i) sqrt(d_i) z_i}.
 *
 * <p>DJL puts an op's result in the manager of its left operand, so the state is kept in a scope
 * that collects the step temporaries and only the results are moved out.
 */
public final class ForwardSimulation {
    private ForwardSimulation() {}

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
        return extend(sde, grid, states, 0, noise, steps);
    }

    /**
     * As {@link #extend(Sde, TimeGrid, NDArray, NoiseSource, int)} for states that start at time
     * {@code t_first} instead of {@code t_0}: {@code states} {@code [B, k + 1, N, N]} at times
     * {@code t_first .. t_{first + k}}, continued to {@code t_steps}: {@code [B, steps - first + 1, N, N]}.
     *
     * @throws IllegalArgumentException unless {@code first + k <= steps <= grid.steps()}
     */
    public static NDArray extend(Sde sde, TimeGrid grid, NDArray states, int first, NoiseSource noise, int steps) {
        int known = first + (int) states.getShape().get(1) - 1;
        if (first < 0 || steps < known || steps > grid.steps()) {
            throw new IllegalArgumentException("steps " + steps + " outside " + known + ".." + grid.steps()
                    + " (first state at time index " + first + ")");
        }
        NDManager out = states.getManager();
        try (NDManager scope = out.newSubManager()) {
            NDArray x = states.get(":, " + (known - first));
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

    /** Whether {@link #marginal} can draw states of this process on {@code n x n} fields: its physics is a Fourier multiplier. */
    public static boolean hasClosedFormMarginal(Sde sde, int n) {
        return sde.physics().fourierSymbol(n, 0) != null;
    }

    /** As {@link #hasClosedFormMarginal(Sde, int)} for a batch of states: only square fields {@code [B, N, N]} qualify. */
    public static boolean hasClosedFormMarginal(Sde sde, ai.djl.ndarray.types.Shape batch) {
        return batch.dimension() == 3 && batch.get(1) == batch.get(2) && hasClosedFormMarginal(sde, (int) batch.get(2));
    }

    /**
     * A draw of the state {@code x_k} at time {@code t_k} given {@code x0} ({@code [B, N, N]}) from
     * the exact marginal of the process {@link #trajectory} simulates, when the physics is a Fourier
     * multiplier {@code m_d} ({@link dev.smdp4j.physics.PhysicsModel#fourierSymbol}; the heat step).
     * The process is then linear and Gaussian, per mode:
     * <pre>
     *   mean     = prod_{i < k} m_{d_i} * x0
     *   variance = sum_{i < k} g(t_i)^2 d_i prod_{i < j < k} m_{d_j}^2
     * </pre>
     * so {@code x_k} is the filtered {@code x0} plus one white-noise field filtered by the square
     * root of the variance: the same distribution as the simulation's state {@code k}, for one
     * noise draw and two filters instead of {@code k} steps. Results in {@code x0}'s manager.
     *
     * @throws IllegalArgumentException if the physics is not a Fourier multiplier or {@code k} is outside {@code 0..M}
     */
    public static NDArray marginal(Sde sde, TimeGrid grid, NDArray x0, NoiseSource noise, int k) {
        if (k < 0 || k > grid.steps()) {
            throw new IllegalArgumentException("time index " + k + " outside 0.." + grid.steps());
        }
        if (k == 0) {
            return x0.duplicate();
        }
        int n = (int) x0.getShape().get(x0.getShape().dimension() - 1);
        double[] gain = null;
        double[] variance = new double[n * n];
        for (int i = 0; i < k; i++) {
            double[] m = sde.physics().fourierSymbol(n, grid.span(i));
            if (m == null) {
                throw new IllegalArgumentException(sde.physics().describe() + " is not a Fourier multiplier: "
                        + "no closed-form marginal; simulate the trajectory instead");
            }
            double g = sde.diffusion().at(grid.time(i));
            for (int j = 0; j < m.length; j++) {
                variance[j] = variance[j] * m[j] * m[j] + g * g * grid.span(i);
            }
            if (gain == null) {
                gain = m.clone();
            } else {
                for (int j = 0; j < m.length; j++) {
                    gain[j] *= m[j];
                }
            }
        }
        for (int j = 0; j < variance.length; j++) {
            variance[j] = Math.sqrt(variance[j]);
        }
        NDManager out = x0.getManager();
        try (NDManager scope = out.newSubManager()) {
            x0.tempAttach(scope); // the filtered x0 lands in the scope too
            NDArray z = noise.next(scope, x0.getShape());
            NDArray x = FourierMultiplier.apply(x0, gain).add(FourierMultiplier.apply(z, variance));
            x.attach(out);
            return x;
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
        return scale == 0 ? next : next.add(Scalars.mul(noise.next(x.getManager(), x.getShape()), scale));
    }
}
