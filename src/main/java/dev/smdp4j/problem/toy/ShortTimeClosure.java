package dev.smdp4j.problem.toy;

/**
 * The short-time closure from which {@link FokkerPlanck} starts: the toy SDE's marginal for small
 * {@code t}, a symmetric mixture of two Gaussians about the deterministic paths of the peaks.
 *
 * <p>The delta peaks at {@code +-1} cannot be put on a grid, so the solver starts at a small
 * {@code t0 > 0} from the mixture {@code (N(m, v) + N(-m, v)) / 2} with the deterministic path
 * {@code m(t) = 1 / (1 + lambda t)} and the variance of the dynamics linearised about it,
 * {@code v' = -4 lambda m v + g^2}, i.e.
 * {@code v(t) = g^2 ((1 + lambda t)^5 - 1) / (5 lambda (1 + lambda t)^4)} ({@code g^2 t} for
 * {@code lambda = 0}, where the mixture is exact). {@code t0 = 0.07 / lambda} (the peaks have moved
 * 7% of the way in; {@code 10^-3 T} for {@code lambda = 0}), or later if needed for the closure's
 * standard deviation to span 8 cells where the peak sits. For {@code t <= t0} every query answers
 * from the closure itself. With the paper's parameters {@code t0 = 0.01} and
 * {@code sqrt(v(t0)) = 0.0028}; the closure neglects a skewness of relative order
 * {@code sqrt(v) / m = 0.003}. Measured against this solver with 48000 cells started at
 * {@code t = 3.5e-5}: at {@code t0} the closure's density differs by {@code 3.6e-4} of its peak and
 * its score by {@code 0.012 / sqrt(v)} where the density is above {@code 1e-3} of its peak (at most
 * {@code 4.8e-4} and {@code 0.028 / sqrt(v)} for {@code t <= 0.05}).
 */
final class ShortTimeClosure {
    private ShortTimeClosure() {}

    /** The mean of the closure's positive peak, {@code 1 / (1 + lambda t)}. */
    static double mean(double lambda, double t) {
        return 1 / (1 + lambda * t);
    }

    /**
     * The closure's variance {@code g^2 ((1 + lambda t)^5 - 1) / (5 lambda (1 + lambda t)^4)},
     * {@code g^2 t} for {@code lambda = 0}.
     */
    static double variance(double lambda, double g, double t) {
        if (lambda == 0) {
            return g * g * t;
        }
        double u = lambda * t;
        return g * g * Math.expm1(5 * Math.log1p(u)) / (5 * lambda * Math.pow(1 + u, 4));
    }

    /** {@code log((N(x; m, v) + N(x; -m, v)) / 2)}, without overflow. */
    static double logDensity(double x, double m, double v) {
        double ax = Math.abs(x);
        return -(ax - m) * (ax - m) / (2 * v)
                + Math.log1p(Math.exp(-2 * m * ax / v))
                - Math.log(2)
                - 0.5 * Math.log(2 * Math.PI * v);
    }

    /** The score of the closure's mixture, {@code (-x + m tanh(m x / v)) / v}. */
    static double score(double x, double m, double v) {
        return (-x + m * Math.tanh(m * x / v)) / v;
    }
}
