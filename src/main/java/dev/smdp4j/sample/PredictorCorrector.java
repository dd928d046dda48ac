package dev.smdp4j.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.util.Scalars;

/**
 * Predictor-corrector sampling (Song et al. 2021, "Score-based generative modeling through SDEs",
 * Algorithm 1 "PC sampling"): the {@code sde} step as predictor, then {@code steps} Langevin
 * corrector steps at the new time {@code t_{m-1}},
 * {@code x <- x + eps s(x, t) + sqrt(2 eps) z}, with the step size set per sample from a
 * signal-to-noise ratio {@code r}: {@code eps = 2 (r ||z|| / ||s||)^2} (score_sde's
 * {@code LangevinCorrector}). No correction at {@code t_0}, where the score is not trained.
 */
public final class PredictorCorrector extends Sampler {
    private final EulerSampler predictor = new EulerSampler("sde", 1, true);
    private final int steps;
    private final double snr;

    public PredictorCorrector(int steps, double snr) {
        if (steps < 0 || !(snr > 0) || Double.isInfinite(snr)) {
            throw new InvalidInputException(
                    "--corrector-steps must be >= 0 and --snr finite and > 0; got " + steps + ", " + snr);
        }
        this.steps = steps;
        this.snr = snr;
    }

    @Override
    public String name() {
        return "pc";
    }

    @Override
    protected NDArray step(NDArray x, int m, Context c) {
        NDArray next = predictor.step(x, m, c);
        if (m - 1 < 1) {
            return next;
        }
        double t = c.grid().time(m - 1);
        for (int i = 0; i < steps; i++) {
            NDArray s = c.score().score(next, t);
            NDArray z = c.noise().next(next.getManager(), next.getShape());
            Shape perSample = new Shape(next.getShape().get(0), 1, 1);
            NDArray ratio = Scalars.mul(norm(z).div(Scalars.add(norm(s), 1e-12f)), snr);
            NDArray eps = Scalars.mul(ratio.mul(ratio), 2).reshape(perSample);
            next = next.add(s.mul(eps)).add(z.mul(Scalars.mul(eps, 2).sqrt()));
        }
        return next;
    }

    /** Euclidean norm of each sample of a batch {@code [B, N, N]}. */
    private static NDArray norm(NDArray v) {
        return v.square().sum(new int[] {1, 2}).sqrt();
    }
}
