package dev.smdp4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.smdp4j.nn.MlpNetwork;
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
 * Per batch: one trajectory per initial state on the (optionally jittered) grid (or the stored
 * ones), and per field {@code timesPerField} states at time indices drawn independently and
 * uniformly from {@code 1..M}, all evaluated in one pass with a time per row (as the SMDP
 * objective's one-step terms, {@code UnrolledOdeObjective#withIndependentTimes}); the term at time {@code t} is
 * weighted by {@code g(t)^2 t}, the variance the forward noise has accumulated by then, which keeps
 * every time's term of order one (the score's size grows like {@code 1 / (g sqrt t)}). The weighting
 * is our choice; the reference's baselines are not specified further than their losses.
 * The Jacobian-vector products come from {@link MlpNetwork#jvp}, exact rather than estimated
 * by finite differences.
 */
public final class ScoreMatchingObjective implements Objective {
    /** Terms per field when the problem sets none ({@code Problem#oneStepTimesPerField} 0). */
    static final int TIMES = 8;

    private final Sde sde;
    private final MlpNetwork network;
    private final double endTime;
    private final int steps;
    private final boolean jitter;
    private final boolean sliced;
    private final int timesPerField;
    private boolean givenTrajectories;

    /**
     * @param timesPerField the terms per field, each at its own uniformly drawn time index (the
     *     network takes a time per row)
     */
    public ScoreMatchingObjective(
            Sde sde, MlpNetwork network, double endTime, int steps, boolean jitter, boolean sliced, int timesPerField) {
        if (timesPerField < 1) {
            throw new IllegalArgumentException("terms per field must be >= 1, got " + timesPerField);
        }
        this.timesPerField = timesPerField;
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
        ScoreMatchingObjective copy =
                new ScoreMatchingObjective(sde, network, endTime, steps, false, sliced, timesPerField);
        copy.givenTrajectories = true;
        return copy;
    }

    @Override
    public NDArray loss(NDArray x0, int window, GaussianNoise random) {
        TimeGrid grid = jitter ? TimeGrid.jittered(endTime, steps, random) : TimeGrid.uniform(endTime, steps);
        OneStepRows drawn = OneStepRows.draw(
                sde, grid, x0, givenTrajectories, timesPerField, u -> 1 + (int) Math.floor(u * steps), random);
        NDManager manager = x0.getManager();
        NDArray x = drawn.state();
        double[] times = drawn.times();
        int rows = times.length;
        int dims = Math.toIntExact(x.getShape().size() / rows);
        float[] weight = new float[rows];
        for (int i = 0; i < rows; i++) {
            double g = sde.diffusion().at(times[i]);
            weight[i] = (float) (g * g * times[i]);
        }
        NDArray divergence = null;
        NDArray score = null;
        if (sliced) {
            NDArray v = random.next(manager, x.getShape());
            MlpNetwork.Jvp jvp = network.jvp(x, times, v);
            score = jvp.output();
            divergence = v.mul(jvp.derivative());
        } else { // the trace: one forward-mode product per coordinate direction
            for (int i = 0; i < dims; i++) {
                float[] unit = new float[dims];
                unit[i] = 1f;
                NDArray e = x.onesLike()
                        .reshape(rows, dims)
                        .mul(EngineArrays.of(manager, unit, new Shape(1, dims)))
                        .reshape(x.getShape());
                MlpNetwork.Jvp jvp = network.jvp(x, times, e);
                score = jvp.output();
                NDArray diagonal = e.mul(jvp.derivative());
                divergence = divergence == null ? diagonal : divergence.add(diagonal);
            }
        }
        NDArray perState = divergence
                .add(Scalars.mul(score.square(), 0.5))
                .reshape(rows, dims)
                .sum(new int[] {1});
        return perState.mul(EngineArrays.of(manager, weight, new Shape(rows))).mean();
    }
}
