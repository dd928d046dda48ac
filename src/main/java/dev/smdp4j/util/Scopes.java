package dev.smdp4j.util;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.function.UnaryOperator;

/** The per-step {@link NDManager} scope pattern of every loop over time steps. */
public final class Scopes {
    private Scopes() {}

    /**
     * Runs {@code step} inside a fresh sub-manager of {@code target} to which {@code x} is
     * temporarily attached (DJL puts results in the left operand's manager, so every temporary
     * lands in the scope), moves the result to {@code target} and frees everything else.
     */
    public static NDArray inScope(NDManager target, NDArray x, UnaryOperator<NDArray> step) {
        try (NDManager scope = target.newSubManager()) {
            x.tempAttach(scope);
            NDArray next = step.apply(x);
            next.attach(target);
            return next;
        }
    }

    /**
     * Like {@link #inScope} but also frees {@code x} unless it is {@code keep}: for loops that
     * replace the state at every step and keep only the initial and the latest state.
     */
    public static NDArray replace(NDManager target, NDArray x, NDArray keep, UnaryOperator<NDArray> step) {
        NDArray next = inScope(target, x, step);
        if (x != keep && x != next) {
            x.close();
        }
        return next;
    }
}
