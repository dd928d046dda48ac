package dev.smdp4j.train;

import dev.smdp4j.io.InvalidInputException;

/**
 * One stage of the sliding-window schedule: unroll {@code window} steps, for {@code epochs} passes
 * over the training set at {@code batch} fields per step, with the learning rate decaying
 * exponentially from {@code lrStart} to {@code lrEnd} over the stage; optionally with its own
 * anchor setting ({@code anchorEvery}: one anchor term per this many unrolled steps, 0 = none;
 * {@link #INHERIT} = the run's {@code --anchor-every}).
 */
public record Stage(int window, int epochs, int batch, double lrStart, double lrEnd, int anchorEvery) {
    /** {@link #anchorEvery} value meaning "the run's setting". */
    public static final int INHERIT = -1;

    public Stage {
        if (window < 1
                || epochs < 1
                || batch < 1
                || !(lrStart > 0)
                || !(lrEnd > 0)
                || Double.isInfinite(lrStart)
                || Double.isInfinite(lrEnd)) {
            throw new InvalidInputException("invalid stage window=" + window + " epochs=" + epochs + " batch=" + batch
                    + " lr=" + lrStart + "->" + lrEnd + " (all must be >= 1, learning rates finite and > 0)");
        }
        if (anchorEvery < INHERIT) {
            throw new InvalidInputException("invalid stage anchor setting " + anchorEvery
                    + ": one anchor per this many steps, >= 0 (0 = none)");
        }
    }

    /** A stage with the run's anchor setting. */
    public Stage(int window, int epochs, int batch, double lrStart, double lrEnd) {
        this(window, epochs, batch, lrStart, lrEnd, INHERIT);
    }

    /** The learning rate at fraction {@code f} in [0, 1) of the stage. */
    public double learningRate(double f) {
        return lrStart * Math.pow(lrEnd / lrStart, f);
    }

    /** {@code window:epochs:batch:lrStart:lrEnd[:anchorEvery]}, the form {@link WindowSchedule#parse} reads. */
    @Override
    public String toString() {
        return window + ":" + epochs + ":" + batch + ":" + lrStart + ":" + lrEnd
                + (anchorEvery == INHERIT ? "" : ":" + anchorEvery);
    }
}
