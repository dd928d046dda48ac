package dev.smdp4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.ParameterIO;
import dev.smdp4j.util.EngineArrays;
import dev.smdp4j.util.Scalars;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam (Kingma &amp; Ba, 2015) with optional decoupled weight decay (AdamW, Loshchilov &amp;
 * Hutter, 2019) and element-wise gradient clipping, updating the trainable parameters of a DJL
 * {@link Block} in place.
 *
 * <p>One step, for each parameter {@code p} with gradient {@code g} and learning rate {@code lr}
 * (passed per step, so that schedules live with the caller):
 *
 * <pre>
 *   g  = clip(g, -clip, clip)
 *   m  = beta1 m + (1 - beta1) g
 *   v  = beta2 v + (1 - beta2) g^2
 *   p  = p (1 - lr weightDecay)                        (AdamW; PyTorch's convention)
 *   p  = p - lr m_hat / (sqrt(v_hat) + eps),  m_hat = m / (1 - beta1^t),  v_hat = v / (1 - beta2^t)
 * </pre>
 *
 * <p><b>Gradients.</b> DJL's PyTorch engine does not reset gradients when a new
 * {@code GradientCollector} opens (the call is commented out in {@code PtGradientCollector}), so
 * a second backward pass adds to the first. {@link #step} therefore zeroes every gradient after
 * reading it, whether or not it updates, and the caller needs nothing else between steps. (The
 * collector's own {@code zeroGradients()} would not do: it only visits arrays in the system
 * manager, and it subtracts the gradient from itself, which leaves a NaN in place.)
 *
 * <p><b>Non-finite gradients.</b> If any gradient holds a NaN or an infinity, {@link #step}
 * changes neither the parameters nor the moments nor the step count, and returns {@code false};
 * the caller counts skipped steps.
 *
 * <p>The moments live in this optimizer's own sub-manager of the parameters' manager; closing the
 * optimizer frees them. Not thread-safe.
 */
public final class Adam implements AutoCloseable {
    /** Prefix of every key in {@link #exportState()}. */
    public static final String STATE_PREFIX = "adam.";

    private static final String FIRST_MOMENT = STATE_PREFIX + "m/";
    private static final String SECOND_MOMENT = STATE_PREFIX + "v/";
    private static final String STEP_COUNT = STATE_PREFIX + "t";
    /** Step counts up to this are exact in the float32 {@code adam.t}. */
    private static final long EXACT_FLOAT_INTEGER = 1L << 24;

    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final double weightDecay;
    private final double clip;

    private final FlatLayout layout;
    /** All first and second moments, flat in parameter order: one update for all parameters. */
    private final NDArray firstMoment;

    private final NDArray secondMoment;
    /** Per-parameter views of the flat moments, for export and import. */
    private final List<NDArray> firstMoments;

    private final List<NDArray> secondMoments;
    private final NDManager state;
    private long steps;
    private boolean closed;

    private Adam(Builder b, Block block) {
        this.beta1 = b.beta1;
        this.beta2 = b.beta2;
        this.epsilon = b.epsilon;
        this.weightDecay = b.weightDecay;
        this.clip = b.clip;
        layout = new FlatLayout(block);
        state = layout.manager().newSubManager();
        firstMoment = layout.zeros(state);
        secondMoment = layout.zeros(state);
        firstMoments = layout.views(firstMoment);
        secondMoments = layout.views(secondMoment);
    }

    /** A builder with the defaults beta1 0.9, beta2 0.999, eps 1e-8, no weight decay, clip 10. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * One update with learning rate {@code lr}, using and then zeroing the current gradients.
     *
     * @return {@code true} if the parameters were updated; {@code false} if some gradient was not
     *     finite, in which case nothing but the gradients changed
     * @throws IllegalArgumentException if {@code lr} is negative or not finite
     * @throws IllegalStateException if the optimizer is closed
     */
    public boolean step(double lr) {
        requireOpen();
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + lr);
        }
        try (NDManager scratch = state.newSubManager()) {
            List<NDArray> gradients = gradients(scratch);
            try {
                NDList flat = new NDList(gradients.size());
                for (NDArray g : gradients) {
                    flat.add(g.reshape(-1));
                }
                NDArray g = NDArrays.concat(flat); // in scratch, like its first operand
                // max |g| is NaN if any element is NaN (PyTorch's max propagates NaN), infinite if any is
                if (g.size() > 0 && !Float.isFinite(g.abs().max().getFloat())) {
                    return false;
                }
                // Borrowed so that temporaries computed from the moments are freed with scratch;
                // closing scratch hands them back to the state manager.
                firstMoment.tempAttach(scratch);
                secondMoment.tempAttach(scratch);
                steps++;
                update(g, lr, scratch);
                return true;
            } finally {
                // Even a skipped step consumes its gradients: DJL would add the next ones to them.
                for (NDArray g : gradients) {
                    EngineArrays.fill(g, 0); // assignment, unlike g - g, also clears NaN
                }
            }
        }
    }

    /**
     * Zeroes the accumulated gradients without an update: for a step whose loss was non-finite,
     * after an objective may already have back-propagated part of it.
     */
    public void discardGradients() {
        requireOpen();
        try (NDManager scratch = state.newSubManager()) {
            for (NDArray g : gradients(scratch)) {
                EngineArrays.fill(g, 0);
            }
        }
    }

    /** The number of updates applied so far (skipped steps not included). */
    public long steps() {
        return steps;
    }

    /**
     * The moments of every parameter, under {@code adam.m/NAME} and {@code adam.v/NAME}, and the
     * step count as the one-element {@code adam.t} (exact up to 2^24 steps; beyond that both
     * bias corrections are 1 in double precision, so rounding the count changes no update).
     *
     * @throws IllegalStateException if the optimizer is closed
     */
    public Map<String, HostArray> exportState() {
        requireOpen();
        Map<String, HostArray> out = new LinkedHashMap<>();
        for (int i = 0; i < layout.names.size(); i++) {
            String m = FIRST_MOMENT + layout.names.get(i);
            String v = SECOND_MOMENT + layout.names.get(i);
            out.put(m, ParameterIO.toHost(firstMoments.get(i), m));
            out.put(v, ParameterIO.toHost(secondMoments.get(i), v));
        }
        out.put(STEP_COUNT, new HostArray(new float[] {steps}, 1));
        return out;
    }

    /**
     * Replaces the moments and the step count with those in {@code tensors}, which may also hold
     * keys without the {@value #STATE_PREFIX} prefix (a whole checkpoint, say). Under that prefix
     * it must hold exactly the keys {@link #exportState()} writes, with matching shapes, finite
     * values, non-negative second moments and a whole non-negative step count. Nothing changes
     * unless all of that holds.
     *
     * @throws InvalidInputException naming the key and the problem otherwise
     * @throws IllegalStateException if the optimizer is closed
     */
    public void importState(Map<String, HostArray> tensors) {
        requireOpen();
        List<String> keys = new ArrayList<>();
        for (String name : layout.names) {
            keys.add(FIRST_MOMENT + name);
            keys.add(SECOND_MOMENT + name);
        }
        keys.add(STEP_COUNT);
        ParameterIO.requireExactKeys(tensors, STATE_PREFIX, keys, "optimizer state");
        long importedSteps = ParameterIO.wholeCount(tensors.get(STEP_COUNT), STEP_COUNT);
        for (int i = 0; i < layout.names.size(); i++) {
            String m = FIRST_MOMENT + layout.names.get(i);
            String v = SECOND_MOMENT + layout.names.get(i);
            ParameterIO.requireCompatible("optimizer state '" + m + "'", tensors.get(m), firstMoments.get(i));
            ParameterIO.requireCompatible("optimizer state '" + v + "'", tensors.get(v), secondMoments.get(i));
            requireNonNegative(v, tensors.get(v));
        }
        for (int i = 0; i < layout.names.size(); i++) {
            ParameterIO.copyInto(firstMoments.get(i), tensors.get(FIRST_MOMENT + layout.names.get(i)));
            ParameterIO.copyInto(secondMoments.get(i), tensors.get(SECOND_MOMENT + layout.names.get(i)));
        }
        steps = importedSteps;
    }

    /** Frees the moments. The block's parameters are not affected. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            state.close();
        }
    }

    // ---------------------------------------------------------------- step internals

    /** Each parameter's gradient, as arrays owned by {@code scratch} that share the gradient storage. */
    private List<NDArray> gradients(NDManager scratch) {
        List<NDArray> out = new ArrayList<>(layout.parameters.size());
        for (NDArray p : layout.parameters) {
            NDArray g = p.getGradient(); // a new handle in the parameter's manager on every call
            g.attach(scratch);
            out.add(g);
        }
        return out;
    }

    /**
     * The update of every parameter from the flat gradient {@code gradient}: the moment arithmetic
     * runs once over all parameters (a dozen engine calls instead of a dozen per parameter; the
     * same element-wise operations in the same order, so the same numbers), then each parameter
     * subtracts its slice.
     */
    private void update(NDArray gradient, double lr, NDManager scratch) {
        NDArray g = clip > 0 && clip < Double.POSITIVE_INFINITY ? Scalars.clip(gradient, -clip, clip) : gradient;
        // Number operands through util.Scalars: float32 scalars in engine memory (EngineArrays).
        Scalars.muli(firstMoment, beta1).addi(Scalars.mul(g, 1 - beta1));
        Scalars.muli(secondMoment, beta2).addi(Scalars.muli(g.square(), 1 - beta2));
        double biasCorrection1 = 1 - Math.pow(beta1, steps);
        double biasCorrection2 = 1 - Math.pow(beta2, steps);
        NDArray denominator = Scalars.addi(Scalars.divi(secondMoment.sqrt(), Math.sqrt(biasCorrection2)), epsilon);
        NDArray step = Scalars.muli(firstMoment.div(denominator), lr / biasCorrection1);
        NDList parts = layout.parameters.size() == 1 ? new NDList(step) : step.split(layout.cuts());
        for (int i = 0; i < layout.parameters.size(); i++) {
            // In-place on a detached view: it shares the parameter's storage, and PyTorch refuses
            // in-place updates of a leaf that requires a gradient while a collector is recording.
            NDArray data = layout.parameters.get(i).stopGradient();
            data.attach(scratch);
            if (weightDecay > 0) {
                Scalars.muli(data, 1 - lr * weightDecay);
            }
            data.subi(parts.get(i).reshape(layout.parameters.get(i).getShape()));
        }
    }

    // ---------------------------------------------------------------- import internals

    private static void requireNonNegative(String key, HostArray v) {
        float[] data = v.data();
        for (int k = 0; k < data.length; k++) {
            if (data[k] < 0) {
                throw new InvalidInputException("optimizer state '" + key + "': element " + k + " is " + data[k]
                        + "; second moments cannot be negative");
            }
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the optimizer is closed");
        }
    }

    /** Hyperparameters other than the learning rate, which {@link #step} takes. */
    public static final class Builder {
        private double beta1 = 0.9;
        private double beta2 = 0.999;
        private double epsilon = 1e-8;
        private double weightDecay = 0;
        private double clip = 10;

        private Builder() {}

        /** Decay rate of the first moment, in [0, 1); default 0.9. */
        public Builder beta1(double beta1) {
            this.beta1 = requireInUnitInterval("beta1", beta1);
            return this;
        }

        /** Decay rate of the second moment, in [0, 1); default 0.999. */
        public Builder beta2(double beta2) {
            this.beta2 = requireInUnitInterval("beta2", beta2);
            return this;
        }

        /** Added to the denominator for stability, > 0; default 1e-8. */
        public Builder epsilon(double epsilon) {
            if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
                throw new IllegalArgumentException("epsilon must be finite and > 0, got " + epsilon);
            }
            this.epsilon = epsilon;
            return this;
        }

        /** Decoupled (AdamW) weight decay per unit learning rate, >= 0; default 0 (plain Adam). */
        public Builder weightDecay(double weightDecay) {
            if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
                throw new IllegalArgumentException("weight decay must be finite and >= 0, got " + weightDecay);
            }
            this.weightDecay = weightDecay;
            return this;
        }

        /**
         * Element-wise gradient clipping to [-clip, clip], > 0; 0 or positive infinity disables
         * it. The default, 10, is the reference implementation's.
         */
        public Builder clip(double clip) {
            if (!(clip >= 0)) {
                throw new IllegalArgumentException("clip must be >= 0 (0 disables clipping), got " + clip);
            }
            this.clip = clip;
            return this;
        }

        /**
         * An optimizer for the block's trainable parameters (those not frozen).
         *
         * @throws IllegalStateException if the block is not initialized
         * @throws IllegalArgumentException if the block has no trainable parameter
         */
        public Adam build(Block block) {
            return new Adam(this, block);
        }

        private static double requireInUnitInterval(String name, double value) {
            if (!(value >= 0 && value < 1)) {
                throw new IllegalArgumentException(name + " must be in [0, 1), got " + value);
            }
            return value;
        }
    }
}
