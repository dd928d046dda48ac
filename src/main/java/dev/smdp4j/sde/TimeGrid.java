package dev.smdp4j.sde;

import dev.smdp4j.util.GaussianNoise;
import java.util.Arrays;

/** Increasing time points {@code 0 = t_0 < t_1 < ... < t_M = T}. */
public final class TimeGrid {
    private final double[] times;

    private TimeGrid(double[] times) {
        this.times = times;
    }

    /** {@code t_i = i T / M}. */
    public static TimeGrid uniform(double end, int steps) {
        validate(end, steps);
        double[] t = new double[steps + 1];
        for (int i = 0; i <= steps; i++) {
            t[i] = end * i / steps;
        }
        return new TimeGrid(t);
    }

    /**
     * The uniform grid with every interior point moved by {@code U[-d/2, d/2)}, {@code d = T/M}, end
     * points fixed (the reference implementation's training-time jitter). Points stay ordered.
     */
    public static TimeGrid jittered(double end, int steps, GaussianNoise random) {
        TimeGrid base = uniform(end, steps);
        double d = end / steps;
        double[] t = base.times.clone();
        for (int i = 1; i < steps; i++) {
            t[i] += (random.nextUniform() - 0.5) * d;
        }
        return new TimeGrid(t);
    }

    /** A grid from explicit, strictly increasing points starting at 0. */
    public static TimeGrid of(double... times) {
        if (times.length < 2 || times[0] != 0) {
            throw new IllegalArgumentException("a time grid needs at least two points starting at 0");
        }
        for (int i = 1; i < times.length; i++) {
            if (!(times[i] > times[i - 1]) || !Double.isFinite(times[i])) {
                throw new IllegalArgumentException(
                        "time points must be finite and strictly increasing: " + Arrays.toString(times));
            }
        }
        return new TimeGrid(times.clone());
    }

    private static void validate(double end, int steps) {
        if (!(end > 0) || Double.isInfinite(end)) {
            throw new IllegalArgumentException("end time T must be finite and > 0, got " + end);
        }
        if (steps < 1) {
            throw new IllegalArgumentException("number of steps M must be >= 1, got " + steps);
        }
    }

    /** Number of steps M. */
    public int steps() {
        return times.length - 1;
    }

    /** {@code t_i}. */
    public double time(int i) {
        return times[i];
    }

    /** {@code t_{i+1} - t_i}. */
    public double span(int i) {
        return times[i + 1] - times[i];
    }

    /** {@code t_M}. */
    public double end() {
        return times[times.length - 1];
    }

    public double[] times() {
        return times.clone();
    }
}
