package dev.smdp4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Block;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.ParameterIO;
import dev.smdp4j.util.Scalars;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An exponential moving average of a block's trainable parameters (Polyak averaging, as in
 * score_sde's {@code ema_rate}): after every applied optimizer step,
 *
 * <pre>
 *   a = r a + (1 - r) p,   r = min(decay, (1 + t) / (10 + t)),   t = updates so far
 * </pre>
 *
 * <p>The warm-up {@code r} lets the average forget the initial weights quickly (TensorFlow's
 * {@code ExponentialMovingAverage} with {@code num_updates}). The average starts at the weights
 * the block holds when this object is built.
 *
 * <p>Averaging removes most of the step-to-step noise of small-batch training from the weights
 * that are validated and saved; the raw weights keep training. {@link #swap()} exchanges the
 * block's weights with the average (an involution: call it again to swap back), so validation and
 * checkpoints see the averaged network with no second copy of the model.
 *
 * <p>State for an exact resume: the other side of the swap (under {@value #WEIGHTS}NAME) and the
 * update count ({@value #COUNT}). The average lives in its own sub-manager of the parameters'
 * manager; closing frees it. Not thread-safe.
 */
public final class WeightAverage implements AutoCloseable {
    /** Prefix of every key in {@link #exportState()}. */
    public static final String STATE_PREFIX = "average.";
    /** The weights not in the block: the raw training weights while the average is swapped in. */
    static final String WEIGHTS = STATE_PREFIX + "weights/";

    static final String COUNT = STATE_PREFIX + "t";

    private final double decay;
    private final FlatLayout layout;
    private final NDArray average;
    private final List<NDArray> views;
    private final NDManager state;
    private long updates;
    private boolean closed;

    /**
     * An average of {@code block}'s trainable parameters with the given decay rate, in (0, 1).
     *
     * @throws IllegalArgumentException if the decay is outside (0, 1) or the block has no trainable parameter
     */
    public WeightAverage(Block block, double decay) {
        if (!(decay > 0 && decay < 1)) {
            throw new IllegalArgumentException("the averaging decay must be in (0, 1), got " + decay);
        }
        this.decay = decay;
        this.layout = new FlatLayout(block);
        state = layout.manager().newSubManager();
        average = layout.zeros(state);
        try (NDManager scratch = state.newSubManager()) {
            average.set(new NDIndex("..."), layout.flatten(scratch));
        }
        views = layout.views(average);
    }

    /** Updates applied so far. */
    public long updates() {
        return updates;
    }

    /** Moves the average towards the block's current weights; call after every applied optimizer step. */
    public void update() {
        requireOpen();
        double r = Math.min(decay, (1.0 + updates) / (10.0 + updates));
        try (NDManager scratch = state.newSubManager()) {
            average.tempAttach(scratch);
            Scalars.muli(average, r).addi(Scalars.muli(layout.flatten(scratch), 1 - r));
        }
        updates++;
    }

    /**
     * Exchanges the block's weights with the other side (the average, or after a first swap the raw
     * weights). Call twice to restore; use around validation and checkpoint writing.
     */
    public void swap() {
        requireOpen();
        try (NDManager scratch = state.newSubManager()) {
            for (int i = 0; i < layout.count(); i++) {
                NDArray data = layout.parameters.get(i).stopGradient(); // shares the parameter's storage
                data.attach(scratch);
                NDArray held = views.get(i).duplicate();
                held.attach(scratch);
                views.get(i).set(new NDIndex("..."), data);
                data.set(new NDIndex("..."), held);
            }
        }
    }

    /** The other side of the swap under {@value #WEIGHTS}NAME, and the update count as {@value #COUNT}. */
    public Map<String, HostArray> exportState() {
        requireOpen();
        Map<String, HostArray> out = new LinkedHashMap<>();
        for (int i = 0; i < layout.count(); i++) {
            String key = WEIGHTS + layout.names.get(i);
            out.put(key, ParameterIO.toHost(views.get(i), key));
        }
        out.put(COUNT, new HostArray(new float[] {updates}, 1));
        return out;
    }

    /**
     * Replaces the other side of the swap and the update count with those in {@code tensors}
     * (which may hold other keys), after checking them all; nothing changes unless all are valid.
     *
     * @throws dev.smdp4j.io.InvalidInputException naming the key and the problem otherwise
     */
    public void importState(Map<String, HostArray> tensors) {
        requireOpen();
        List<String> keys = new ArrayList<>();
        for (String name : layout.names) {
            keys.add(WEIGHTS + name);
        }
        keys.add(COUNT);
        ParameterIO.requireExactKeys(tensors, STATE_PREFIX, keys, "weight-average state");
        long count = ParameterIO.wholeCount(tensors.get(COUNT), COUNT);
        for (int i = 0; i < layout.count(); i++) {
            ParameterIO.requireCompatible(
                    "weight-average state '" + keys.get(i) + "'", tensors.get(keys.get(i)), views.get(i));
        }
        for (int i = 0; i < layout.count(); i++) {
            ParameterIO.copyInto(views.get(i), tensors.get(keys.get(i)));
        }
        updates = count;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            state.close();
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the weight average is closed");
        }
    }
}
