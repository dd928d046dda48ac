package dev.smdp4j.train;

import ai.djl.ndarray.NDArray;
import dev.smdp4j.sample.ReverseStep;
import dev.smdp4j.score.NetworkOutput;
import dev.smdp4j.score.ScaledNetworkScore;
import dev.smdp4j.score.ScoreModel;
import dev.smdp4j.sde.ForwardSimulation;
import dev.smdp4j.sde.Sde;
import dev.smdp4j.sde.TimeGrid;
import dev.smdp4j.util.GaussianNoise;

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
 *
 * <p>Anchor terms (our addition to the paper's loss): {@code K = S / anchorEvery} one-step losses
 * at random times {@code m} of the same trajectories, each from the simulated noisy state
 * {@code x_m}, weighted so that they estimate {@code w * sum_{m=1..M} mean((xhat_{m-1} - x_{m-1})^2)}
 * — the window-1 loss at every time. In a long window only the first step starts from a noisy
 * simulated state; the others start from the network's own smooth predictions, so the network's
 * behaviour on noisy states (which is what the SDE sampler feeds it) gets 1/S of the training
 * signal. The anchors keep it near the one-step optimum there, at a cost of one network
 * evaluation per {@code anchorEvery} unrolled steps (measured effect in docs/RESULTS.md).
 */
public final class UnrolledOdeObjective implements Objective {
    private final Sde sde;
    private final Sde reverse;
    private final ScoreModel trainedScore;
    private final double endTime;
    private final int steps;
    private final boolean jitter;
    private final int anchorEvery;
    private final double anchorWeight;

    public UnrolledOdeObjective(Sde sde, NetworkOutput network, double endTime, int steps, boolean jitter) {
        this(sde, sde, network, endTime, steps, jitter, 0, 0);
    }

    /**
     * @param sde the forward process that simulates the training trajectories
     * @param reverse the process whose reverse step is unrolled: {@code sde} for SMDP; the same
     *     diffusion without physics for HeatGen
     * @param anchorEvery one one-step term of weight {@code anchorWeight} per this many unrolled steps
     *     (0 = none; see the class comment)
     */
    public UnrolledOdeObjective(Sde sde, Sde reverse, NetworkOutput network, double endTime, int steps, boolean jitter,
            int anchorEvery, double anchorWeight) {
        this.sde = sde;
        this.reverse = reverse;
        this.trainedScore = new ScaledNetworkScore(network, ScaledNetworkScore.TWEEDIE_FACTOR);
        this.endTime = endTime;
        this.steps = steps;
        this.jitter = jitter;
        this.anchorEvery = anchorEvery;
        this.anchorWeight = anchorWeight;
    }

    @Override
    public NDArray loss(NDArray x0, int window, GaussianNoise random) {
        TimeGrid grid = jitter ? TimeGrid.jittered(endTime, steps, random) : TimeGrid.uniform(endTime, steps);
        int start = window + (int) Math.floor(random.nextUniform() * (steps - window + 1));
        NDArray trajectory = ForwardSimulation.trajectory(sde, grid, x0, random); // no parameters: no graph
        NDArray x = trajectory.get(":, " + start);
        NDArray loss = null;
        for (int m = start; m > start - window; m--) {
            x = odeStep(x, m, grid);
            NDArray target = trajectory.get(":, " + (m - 1));
            NDArray term = x.sub(target).square().mean();
            loss = loss == null ? term : loss.add(term);
        }
        int anchorTimes = anchorEvery > 0 ? window / anchorEvery : 0;
        if (anchorTimes > 0 && anchorWeight > 0) {
            NDArray anchors = null;
            for (int k = 0; k < anchorTimes; k++) {
                int m = 1 + (int) Math.floor(random.nextUniform() * steps);
                NDArray term = odeStep(trajectory.get(":, " + m), m, grid).sub(trajectory.get(":, " + (m - 1)))
                        .square().mean();
                anchors = anchors == null ? term : anchors.add(term);
            }
            loss = loss.add(anchors.mul((float) (anchorWeight * steps / anchorTimes)));
        }
        return loss;
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
