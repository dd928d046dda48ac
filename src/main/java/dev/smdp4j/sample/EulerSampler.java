package dev.smdp4j.sample;

import ai.djl.ndarray.NDArray;

/**
 * Algorithm 1 of the paper, with the score weight made explicit. One step from {@code t_m} to
 * {@code t_{m-1}}, {@code d = t_m - t_{m-1}}:
 * <pre>  x &lt;- x + R_d(x) + lambda d g(t_m)^2 s(x, t_m)  [+ g(t_m) sqrt(d) z, except into t_0]</pre>
 *
 * with {@code R_d} the physics' reverse step ({@code PhysicsModel.reverseIncrement}: Algorithm 1's
 * {@code -P_d(x)} unless the physics overrides it).
 * <ul>
 *   <li>{@code sde} ({@code lambda = 1}, noise): Euler-Maruyama for the reverse-time SDE (paper,
 *       Eq. 3; Algorithm 1 lines 7-9). With the exact score it samples the posterior.</li>
 *   <li>{@code ode} ({@code lambda = 1}, no noise): the noise-free drift of the reverse SDE, which is
 *       exactly the trained step {@code x - P_d + d (1/2) g^2 net} when {@code s = net / 2}. This is
 *       what produced the paper's SMDP-ODE numbers (see docs/BENCHMARK.md, "Algorithm 1").</li>
 *   <li>{@code pf-ode} ({@code lambda = 1/2}, no noise): explicit Euler for the true probability-flow
 *       ODE (paper, Eq. 2).</li>
 * </ul>
 * As in the reference implementation, the SDE adds no noise on the final step into {@code t_0}.
 */
public final class EulerSampler extends Sampler {
    private final String name;
    private final double lambda;
    private final boolean noisy;

    EulerSampler(String name, double lambda, boolean noisy) {
        this.name = name;
        this.lambda = lambda;
        this.noisy = noisy;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    protected NDArray step(NDArray x, int m, Context c) {
        NDArray mean = c.reverseDrift(x, m, lambda);
        return noisy && m > 1 ? mean.add(c.diffusionNoise(x, m)) : mean;
    }
}
