package dev.smdp4j.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.smdp4j.sample.ReverseStep;
import dev.smdp4j.score.NetworkOutput;
import dev.smdp4j.score.ScaledNetworkScore;
import dev.smdp4j.sde.ForwardSimulation;
import dev.smdp4j.sde.Sde;
import dev.smdp4j.sde.TimeGrid;
import dev.smdp4j.util.GaussianNoise;
import dev.smdp4j.util.Scalars;

/**
 * SMDP training (paper Section 2): maximum likelihood of the probability-flow ODE by unrolling the
 * ODE step of Algorithm 1,
 * <pre>  x_{m-1} = x_m - P_d(x_m) + d (1/2) g(t_m)^2 net(x_m, t_m),</pre>
 * over a window of {@code S} steps of a freshly simulated noisy trajectory, starting from the
 * simulated state, with loss {@code sum_j mean((xhat_{m-j} - x_{m-j})^2)} and gradients through the
 * physics and the network.
 *
 * <p>Per batch: one trajectory per field on one time grid (jittered if enabled: interior points
 * moved by {@code U[-d/2, d/2)}, as the reference), a window start {@code m} drawn uniformly from
 * {@code S..M} (so the final step {@code x_1 -> x_0} is trained, unlike the reference's off-by-one).
 * For the heat benchmark's linear physics the window's first state is drawn from the process's
 * exact marginal and only the window's S steps are simulated (the same distribution as simulating
 * from {@code x0}; our speed-up, not the reference's, which simulates whole trajectories).
 *
 * <p>Anchor terms (our addition to the paper's loss): {@code K = S / anchorEvery} one-step losses
 * at random times {@code m} (of the same trajectories, or of fresh draws from the marginal when
 * the physics allows it), each from the simulated noisy state
 * {@code x_m}, weighted so that they estimate {@code w * sum_{m=1..M} mean((xhat_{m-1} - x_{m-1})^2)}
 * — the window-1 loss at every time. In a long window only the first step starts from a noisy
 * simulated state; the others start from the network's own smooth predictions, so the network's
 * behaviour on noisy states (which is what the SDE sampler feeds it) gets 1/S of the training
 * signal. The anchors keep it near the one-step optimum there, at a cost of one network
 * evaluation per {@code anchorEvery} unrolled steps (measured effect in docs/HISTORY.md).
 */
public final class UnrolledOdeObjective implements Objective {
    private final Sde sde;
    private final Sde reverse;
    private final ScaledNetworkScore trainedScore;
    private final double endTime;
    private final int steps;
    private final boolean jitter;
    private final int anchorEvery;
    private final double anchorWeight;
    private final int graphEvaluations;
    /** Whether batches are stored trajectories {@code [B, M + 1, ...state]} instead of initial states. */
    private boolean givenTrajectories;
    /** Whether half the window starts are drawn log-uniformly (see {@link #withEarlyTimes()}). */
    private boolean earlyTimes;
    /** One-step terms per field of a window-1 batch, each at its own time (0: one time per batch; see {@link #withIndependentTimes}). */
    private int timesPerField;

    /**
     * This objective with half of its window starts drawn log-uniformly in {@code S..M} instead of
     * uniformly, so that the steps near {@code t = 0} are trained far more often (a uniform start
     * puts the last step into one window in {@code M}). The anchors stay uniform in time. For
     * problems whose final steps decide the result (the toy SDE); the heat benchmark keeps the
     * uniform starts of the paper.
     */
    public UnrolledOdeObjective withEarlyTimes() {
        UnrolledOdeObjective copy = new UnrolledOdeObjective(this, anchorEvery);
        copy.earlyTimes = true;
        return copy;
    }

    /**
     * This objective with window-1 batches of {@code perField} one-step terms per field, each at its
     * own time index (drawn as window starts), evaluated with a time per row ({@link
     * NetworkOutput#output(NDArray, double[])}; uniform grid only). With one time per batch the
     * toy SDE's score never learned its early-time slope (docs/HISTORY.md, "one time per batch").
     */
    public UnrolledOdeObjective withIndependentTimes(int perField) {
        if (perField < 0 || (perField > 0 && jitter)) {
            throw new dev.smdp4j.io.InvalidInputException("one-step terms per field must be >= 0 (got " + perField
                    + "), and --jitter cannot be used with them (they need the uniform grid)");
        }
        UnrolledOdeObjective copy = new UnrolledOdeObjective(this, anchorEvery);
        copy.timesPerField = perField;
        return copy;
    }

    public UnrolledOdeObjective(Sde sde, NetworkOutput network, double endTime, int steps, boolean jitter) {
        this(sde, sde, network, endTime, steps, jitter, 0, 0, 0);
    }

    /**
     * This objective on batches of stored trajectories {@code [B, M + 1, ...state]} (imported data)
     * instead of initial states: the window and anchor states are taken from them, nothing is
     * simulated. The grid must be the uniform one the trajectories were stored on.
     */
    @Override
    public Objective onStoredTrajectories() {
        if (jitter) {
            throw new dev.smdp4j.io.InvalidInputException(
                    "--jitter cannot be used with stored trajectories (their " + "time points are fixed)");
        }
        UnrolledOdeObjective copy = new UnrolledOdeObjective(this, anchorEvery);
        copy.givenTrajectories = true;
        return copy;
    }

    /** {@code other} with another anchor setting. */
    private UnrolledOdeObjective(UnrolledOdeObjective other, int anchorEvery) {
        this.givenTrajectories = other.givenTrajectories;
        this.earlyTimes = other.earlyTimes;
        this.timesPerField = other.timesPerField;
        this.sde = other.sde;
        this.reverse = other.reverse;
        this.trainedScore = other.trainedScore;
        this.endTime = other.endTime;
        this.steps = other.steps;
        this.jitter = other.jitter;
        this.anchorEvery = anchorEvery;
        this.anchorWeight = other.anchorWeight;
        this.graphEvaluations = other.graphEvaluations;
    }

    /** The stage's window, with the stage's anchor setting if it has one (else this objective's). */
    @Override
    public double lossAndBackward(NDArray x0, Stage stage, GaussianNoise random) {
        UnrolledOdeObjective objective = stage.anchorEvery() == Stage.INHERIT || stage.anchorEvery() == anchorEvery
                ? this
                : new UnrolledOdeObjective(this, stage.anchorEvery());
        return objective.lossAndBackward(x0, stage.window(), random);
    }

    /**
     * @param sde the forward process that simulates the training trajectories
     * @param reverse the process whose reverse step is unrolled: {@code sde} for SMDP; the same
     *     diffusion without physics for HeatGen
     * @param anchorEvery one one-step term of weight {@code anchorWeight} per this many unrolled steps
     *     (0 = none; see the class comment)
     * @param graphEvaluations the most network evaluations (fields x steps) kept in one autograd
     *     graph; longer windows are trained with gradient checkpointing (0 = no limit; see
     *     {@link #lossAndBackward})
     */
    public UnrolledOdeObjective(
            Sde sde,
            Sde reverse,
            NetworkOutput network,
            double endTime,
            int steps,
            boolean jitter,
            int anchorEvery,
            double anchorWeight,
            int graphEvaluations) {
        this.sde = sde;
        this.reverse = reverse;
        this.trainedScore = new ScaledNetworkScore(network, ScaledNetworkScore.TWEEDIE_FACTOR);
        this.endTime = endTime;
        this.steps = steps;
        this.jitter = jitter;
        this.anchorEvery = anchorEvery;
        this.anchorWeight = anchorWeight;
        this.graphEvaluations = graphEvaluations;
    }

    /**
     * Every random draw of one loss evaluation, in a fixed order, so that both evaluation paths see
     * the same: the time grid, the window's states {@code x_{start - S} .. x_start} ({@code window},
     * {@code [B, S + 1, N, N]}, the first at time index {@code first}), and per anchor its time
     * {@code m} and the states {@code x_{m-1}, x_m} ({@code [B, 2, N, N]}).
     */
    private record Draw(
            TimeGrid grid, int start, int first, NDArray window, int[] anchorTimes, NDArray[] anchorStates) {
        /** The window's state at time index {@code m}, {@code first <= m <= start}. */
        NDArray state(int m) {
            return window.get(":, " + (m - first));
        }
    }

    /**
     * The states a step uses, with no graph (no parameters involved). When the forward physics is a
     * Fourier multiplier (the heat step), each run of states starts from a draw of the exact marginal
     * ({@link ForwardSimulation#marginal}) and only the steps inside it are simulated: the window's
     * S steps, and one per anchor. Otherwise one trajectory is simulated from {@code x0} as far as
     * the latest state used, and the anchors are taken from it.
     */
    private Draw draw(NDArray x0, int window, GaussianNoise random) {
        TimeGrid grid = jitter ? TimeGrid.jittered(endTime, steps, random) : TimeGrid.uniform(endTime, steps);
        int start = windowStart(window, random.nextUniform());
        int[] anchors = new int[anchorCount(window)];
        NDArray[] anchorStates = new NDArray[anchors.length];
        if (givenTrajectories) {
            for (int k = 0; k < anchors.length; k++) {
                anchors[k] = 1 + (int) Math.floor(random.nextUniform() * steps);
                anchorStates[k] = x0.get(":, " + (anchors[k] - 1) + ":" + (anchors[k] + 1));
            }
            return new Draw(grid, start, 0, x0, anchors, anchorStates);
        }
        if (ForwardSimulation.hasClosedFormMarginal(sde, x0.getShape())) {
            NDArray states = run(grid, x0, start - window, start, random);
            for (int k = 0; k < anchors.length; k++) {
                anchors[k] = 1 + (int) Math.floor(random.nextUniform() * steps);
                anchorStates[k] = run(grid, x0, anchors[k] - 1, anchors[k], random);
            }
            return new Draw(grid, start, start - window, states, anchors, anchorStates);
        }
        // The window's states come first, so anchors change none of them.
        NDArray trajectory = ForwardSimulation.trajectory(sde, grid, x0, random, start);
        int last = start;
        for (int k = 0; k < anchors.length; k++) {
            anchors[k] = 1 + (int) Math.floor(random.nextUniform() * steps);
            last = Math.max(last, anchors[k]);
        }
        if (last > start) {
            trajectory = ForwardSimulation.extend(sde, grid, trajectory, random, last);
        }
        for (int k = 0; k < anchors.length; k++) {
            anchorStates[k] = trajectory.get(":, " + (anchors[k] - 1) + ":" + (anchors[k] + 1));
        }
        return new Draw(grid, start, 0, trajectory, anchors, anchorStates);
    }

    /** States {@code x_from .. x_to} of one trajectory from {@code x0}: a marginal draw, then simulated steps. */
    private NDArray run(TimeGrid grid, NDArray x0, int from, int to, GaussianNoise random) {
        NDArray start = ForwardSimulation.marginal(sde, grid, x0, random, from).expandDims(1);
        return ForwardSimulation.extend(sde, grid, start, from, random, to);
    }

    /**
     * The steps per checkpointed segment for a graph budget of {@code graphEvaluations} network
     * evaluations at this batch size, or 0 if the whole step fits in one graph (no checkpointing).
     * A checkpointed step recomputes the forward pass of every segment but the last.
     */
    public static int segmentLength(int graphEvaluations, int batch, int window, int anchors) {
        int length = graphEvaluations > 0 ? Math.max(1, graphEvaluations / batch) : 0;
        return length == 0 || window + anchors <= length ? 0 : length;
    }

    /** The window's start index for a uniform draw {@code u}: uniform in {@code S..M}, or with {@link #withEarlyTimes()} half of the time log-uniform. */
    int windowStart(int window, double u) {
        if (earlyTimes && u < 0.5) {
            return window - 1 + (int) Math.floor(Math.pow(steps - window + 2, 2 * u));
        }
        double v = earlyTimes ? 2 * u - 1 : u;
        return window + (int) Math.floor(v * (steps - window + 1));
    }

    private int anchorCount(int window) {
        return anchorEvery > 0 && anchorWeight > 0 ? window / anchorEvery : 0;
    }

    @Override
    public NDArray loss(NDArray x0, int window, GaussianNoise random) {
        if (window == 1 && timesPerField > 0) {
            return oneStepAtIndependentTimes(x0, random);
        }
        Draw draw = draw(x0, window, random);
        NDArray loss = unroll(draw, draw.state(draw.start()), 0, window).loss();
        NDArray anchors =
                draw.anchorTimes().length == 0 ? null : anchorLoss(draw, 0, draw.anchorTimes().length, x0.getManager());
        return anchors == null ? loss : loss.add(anchors);
    }

    /**
     * With a graph budget {@code E > 0} and a window longer than {@code L = max(1, E / batch)} steps:
     * gradient checkpointing. A forward pass without autograd stores only the window's states and
     * the loss value; then, from the last segment of {@code L} steps to the first, each segment is
     * recomputed from its stored start state under a gradient collector and back-propagated with its
     * own loss terms plus {@code <x_end, g>}, where {@code g} is the gradient that the later segments
     * put on its end state. Parameter gradients accumulate across the segments to those of the
     * whole window's graph; only one segment's activations are alive at a time, at the price of one
     * extra forward pass of all segments but the last. The anchor terms, independent of each other, are back-propagated in
     * groups of {@code L}. A non-finite loss returns at once; the loop then discards any gradient
     * already accumulated ({@link Adam#discardGradients}).
     */
    @Override
    public double lossAndBackward(NDArray x0, int window, GaussianNoise random) {
        int segmentLength = segmentLength(graphEvaluations, (int) x0.getShape().get(0), window, anchorCount(window));
        if (segmentLength == 0 || (window == 1 && timesPerField > 0)) {
            return Objective.super.lossAndBackward(x0, window, random);
        }
        Draw draw = draw(x0, window, random);
        NDManager scope = x0.getManager();
        int segments = (window + segmentLength - 1) / segmentLength;
        NDArray[] starts = new NDArray[segments];
        starts[0] = draw.state(draw.start());
        double value = 0;
        for (int k = 0; k + 1 < segments; k++) { // no collector: no graph, no stored activations
            try (NDManager segment = scope.newSubManager()) {
                Unrolled u = unroll(draw, inScope(starts[k], segment), k * segmentLength, segmentLength);
                value += u.loss().getFloat();
                u.state().attach(scope);
                starts[k + 1] = u.state();
            }
        }
        NDArray endGradient = null;
        for (int k = segments - 1; k >= 0; k--) {
            int first = k * segmentLength;
            try (NDManager segment = scope.newSubManager();
                    GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray x = inScope(starts[k], segment);
                x.setRequiresGradient(k > 0);
                Unrolled u = unroll(draw, x, first, Math.min(segmentLength, window - first));
                if (k == segments - 1) { // the last segment is computed only here: complete the value first
                    value += u.loss().getFloat();
                    if (!Double.isFinite(value)) {
                        return value; // before any backward
                    }
                }
                collector.backward(
                        endGradient == null
                                ? u.loss()
                                : u.loss().add(u.state().mul(endGradient).sum()));
                if (k > 0) {
                    endGradient = x.getGradient().duplicate();
                    endGradient.attach(scope);
                }
            }
        }
        int[] times = draw.anchorTimes();
        for (int from = 0; from < times.length; from += segmentLength) {
            try (NDManager segment = scope.newSubManager();
                    GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray anchors = anchorLoss(draw, from, Math.min(times.length, from + segmentLength), segment);
                double part = anchors.getFloat();
                if (!Double.isFinite(part)) {
                    return part;
                }
                value += part;
                collector.backward(anchors);
            }
        }
        return value;
    }

    /**
     * The window-1 loss with terms at independent times ({@link #withIndependentTimes}): the mean
     * over all rows of {@code (x_m - P_d(x_m) + d (1/2) g(t_m)^2 net(x_m, t_m) - x_{m-1})^2}, {@link #odeStep} per row.
     */
    private NDArray oneStepAtIndependentTimes(NDArray x0, GaussianNoise random) {
        TimeGrid grid = TimeGrid.uniform(endTime, steps);
        OneStepRows rows =
                OneStepRows.draw(sde, grid, x0, givenTrajectories, timesPerField, u -> windowStart(1, u), random);
        double d = grid.span(0);
        float[] coefficient = new float[rows.times().length];
        for (int i = 0; i < coefficient.length; i++) {
            double g = reverse.diffusion().at(rows.times()[i]);
            coefficient[i] = (float) (trainedScore.factor() * d * g * g);
        }
        NDArray x = rows.state();
        NDArray net = trainedScore.network().output(x, rows.times());
        NDArray step = x.add(reverse.physics().reverseIncrement(x, d)).add(net.mul(rows.perRow(coefficient)));
        return step.sub(rows.previous()).square().mean();
    }

    /** {@code x} copied into {@code manager}, so that every op on it allocates there. */
    private static NDArray inScope(NDArray x, NDManager manager) {
        NDArray copy = x.duplicate();
        copy.attach(manager);
        return copy;
    }

    /** The state after some unrolled steps, and the sum of their loss terms. */
    private record Unrolled(NDArray state, NDArray loss) {}

    /** Steps {@code first .. first + count - 1} of the window (step j goes from time {@code start - j}), from state {@code x}. */
    private Unrolled unroll(Draw draw, NDArray x, int first, int count) {
        NDArray loss = null;
        for (int j = first; j < first + count; j++) {
            int m = draw.start() - j;
            x = odeStep(x, m, draw.grid());
            NDArray term = x.sub(draw.state(m - 1)).square().mean();
            loss = loss == null ? term : loss.add(term);
        }
        return new Unrolled(x, loss);
    }

    /** Anchor terms {@code from .. to - 1} of the draw (see the class comment), weighted as a share of all of them, computed in {@code manager}. */
    private NDArray anchorLoss(Draw draw, int from, int to, NDManager manager) {
        NDArray anchors = null;
        for (int k = from; k < to; k++) {
            NDArray pair = draw.anchorStates()[k];
            int m = draw.anchorTimes()[k];
            NDArray term = odeStep(inScope(pair.get(":, 1"), manager), m, draw.grid())
                    .sub(pair.get(":, 0"))
                    .square()
                    .mean();
            anchors = anchors == null ? term : anchors.add(term);
        }
        return Scalars.mul(anchors, anchorWeight * steps / draw.anchorTimes().length);
    }

    /**
     * One ODE step of Algorithm 1 with the network in place of the score: the {@code ode}
     * sampler's step {@code x - P_d(x) + d g^2 s} with {@code s = net / 2}, i.e.
     * {@code x - P_d(x) + d (1/2) g^2 net}.
     */
    NDArray odeStep(NDArray x, int m, TimeGrid grid) {
        return ReverseStep.drift(reverse, trainedScore, x, grid.time(m), grid.span(m - 1), 1.0);
    }
}
