package dev.smdp4j.score;

import ai.djl.ndarray.NDArray;
import dev.smdp4j.util.Scalars;

/**
 * The score read off a network output: {@code s(x, t) = factor * net(x, t)}.
 *
 * <p>Training regresses the one-step ODE prediction onto the simulated previous state, whose
 * optimum is the conditional mean {@code E[x_{m-1} | x_m]}; by Tweedie's formula that makes
 * {@code (1/2) g^2 net ~ g^2 grad log p}, i.e. {@code net ~ 2 grad log p}, so {@code factor = 1/2}
 * (see docs/BENCHMARK.md, "Algorithm 1"). {@code factor = 1} is the paper's literal reading
 * of Eq. 2 ({@code net = s_theta}).
 */
public final class ScaledNetworkScore implements ScoreModel {
    /** The default factor, {@code 1/2}: the network output estimates twice the score. */
    public static final double TWEEDIE_FACTOR = 0.5;

    private final NetworkOutput network;
    private final double factor;

    public ScaledNetworkScore(NetworkOutput network, double factor) {
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("score factor must be finite and > 0, got " + factor);
        }
        this.network = network;
        this.factor = factor;
    }

    @Override
    public NDArray score(NDArray x, double t) {
        return Scalars.mul(network.output(x, t), factor);
    }

    public NetworkOutput network() {
        return network;
    }

    public double factor() {
        return factor;
    }

    @Override
    public String describe() {
        return network.describe() + " x " + factor;
    }
}
