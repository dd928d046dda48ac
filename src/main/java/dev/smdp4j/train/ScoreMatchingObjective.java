package dev.smdp4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.smdp4j.nn.MlpNetwork;
import dev.smdp4j.sde.ForwardSimulation;
import dev.smdp4j.sde.Sde;
import dev.smdp4j.sde.TimeGrid;
import dev.smdp4j.util.EngineArrays;
import dev.smdp4j.util.GaussianNoise;
import dev.smdp4j.util.Scalars;

/**
 * The score-matching baselines of the toy SDE: the network {@code s(x, t)} is the score itself,
 * fitted to states of simulated forward trajectories with no physics in the loss.
 *
 * <ul>
 *   <li>Implicit score matching (Hyvarinen, "Estimation of Non-Normalized Statistical Models by
 *       Score Matching", 2005): {@code E[ tr(ds/dx) + |s|^2 / 2 ]}, the trace as the sum of the
 *       Jacobian's diagonal from one forward-mode product per state dimension.
 *   <li>Sliced score matching with variance reduction (Song, Garg, Shi, Ermon, "Sliced Score
 *       Matching: A Scalable Approach to Density and Score Estimation", 2019): {@code E_v[ v^T (ds/dx) v
 *       + |s|^2 / 2 ]} with {@code v ~ N(0, I)}, one projection per state.
 * </ul>
 *
 * Per batch: one trajectory per initial state on the (optionally jittered) grid, and
 * {@link #TIMES} time indices drawn uniformly from {@code 1..M}; the term at time {@code t} is
 * weighted by {@code g(t)^2 t}, the variance the forward noise has accumulated by then, which keeps
 * every time's term of order one (the score's size grows like {@code 1 / (g sqrt t)}). The weighting
 * is our choice; the reference's baselines are not specified further than their losses.
 * The Jacobian-vector products come from {@link MlpNetwork#jvp}, exact rather than estimated
 * by finite differences.
 */
public final class ScoreMatchingObjective implements Objective {
    /** Time indices per batch. */
    static final int TIMES = 8;

    private final Sde sde;
    private final MlpNetwork network;
    private final double endTime;
    private final int steps;
    private final boolean jitter;
    private final boolean sliced;
    private boolean givenTrajectories;

    public ScoreMatchingObjective(
            Sde sde, MlpNetwork network, double endTime, int steps, boolean jitter, boolean sliced) {
        this.sde = sde;
        this.network = network;
        this.endTime = endTime;
        this.steps = steps;
        this.jitter = jitter;
        this.sliced = sliced;
    }

    /** On stored trajectories {@code [B, M + 1, ...state]}: the states are taken from them. */
    @Override
    public Objective onStoredTrajectories() {
        if (jitter) {
            throw new dev.smdp4j.io.InvalidInputException("--jitter cannot be used with stored trajectories");
        }
        ScoreMatchingObjective copy = new ScoreMatchingObjective(sde, network, endTime, steps, false, sliced);
        copy.givenTrajectories = true;
        return copy;
    }

    @Override
    public NDArray loss(NDArray x0, int window, GaussianNoise random) {
        TimeGrid grid = jitter ? TimeGrid.jittered(endTime, steps, random) : TimeGrid.uniform(endTime, steps);
        int[] times = new int[TIMES];
        int last = 1;
        for (int k = 0; k < TIMES; k++) {
            times[k] = 1 + (int) Math.floor(random.nextUniform() * steps);
            last = Math.max(last, times[k]);
        }
        NDManager manager = x0.getManager();
        NDArray states = givenTrajectories ? x0 : ForwardSimulation.trajectory(sde, grid, x0, random, last);
        NDArray first = states.get(":, 0");
        long batch = first.getShape().get(0);
        int dims = (int) (first.getShape().size() / batch);
        // ISM's trace: one forward-mode product per coordinate direction, the same directions at every time.
        NDArray[] units = new NDArray[sliced ? 0 : dims];
        for (int i = 0; i < units.length; i++) {
            float[] unit = new float[dims];
            unit[i] = 1f;
            units[i] = first.onesLike()
                    .reshape(batch, dims)
                    .mul(EngineArrays.of(manager, unit, new Shape(1, dims)))
                    .reshape(first.getShape());
        }
        NDArray total = null;
        for (int m : times) {
            NDArray x = states.get(":, " + m);
            double t = grid.time(m);
            NDArray divergence;
            NDArray score;
            if (sliced) {
                NDArray v = random.next(manager, x.getShape());
                MlpNetwork.Jvp jvp = network.jvp(x, t, v);
                score = jvp.output();
                divergence = v.mul(jvp.derivative());
            } else {
                score = null;
                divergence = null;
                for (NDArray e : units) {
                    MlpNetwork.Jvp jvp = network.jvp(x, t, e);
                    score = jvp.output();
                    NDArray diagonal = e.mul(jvp.derivative());
                    divergence = divergence == null ? diagonal : divergence.add(diagonal);
                }
            }
            NDArray perState = divergence
                    .add(Scalars.mul(score.square(), 0.5))
                    .reshape(batch, dims)
                    .sum(new int[] {1});
            double g = sde.diffusion().at(t);
            NDArray term = Scalars.mul(perState.mean(), g * g * t / TIMES);
            total = total == null ? term : total.add(term);
        }
        return total;
    }
}
