package dev.smdp4j.sample;

import dev.smdp4j.io.InvalidInputException;

/**
 * A sampler's state became non-finite: which item of the batch and at which step, so that the
 * caller can name the observation and sample.
 */
public final class NonFiniteStateException extends InvalidInputException {
    private final int item;
    private final int step;
    private final int steps;

    NonFiniteStateException(String sampler, int item, int step, int steps) {
        super("sampler '" + sampler + "' produced a non-finite state for batch item " + item + " at step " + step
                + " of " + steps);
        this.item = item;
        this.step = step;
        this.steps = steps;
    }

    /** Index of the first non-finite item in the batch. */
    public int item() {
        return item;
    }

    /** The step (1 = the first step backward from t_M) after which the state was non-finite. */
    public int step() {
        return step;
    }

    /** Steps of the whole integration. */
    public int steps() {
        return steps;
    }
}
