package dev.smdp4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.smdp4j.io.ParameterIO;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The trainable parameters of a block laid end to end in one flat array, so that per-parameter
 * state ({@link Adam}'s moments, {@link WeightAverage}'s average) is updated by a few engine calls
 * for all parameters at once and read or written per parameter through views.
 */
final class FlatLayout {
    final List<String> names = new ArrayList<>();
    final List<NDArray> parameters = new ArrayList<>();
    /** Where each parameter's elements start, and the total count last. */
    private final long[] offsets;

    /**
     * @throws IllegalStateException if the block is not initialized
     * @throws IllegalArgumentException if the block has no trainable parameter
     */
    FlatLayout(Block block) {
        for (Pair<String, Parameter> p : ParameterIO.parameters(block)) {
            if (p.getValue().requiresGradient()) {
                names.add(p.getKey());
                parameters.add(p.getValue().getArray());
            }
        }
        if (parameters.isEmpty()) {
            throw new IllegalArgumentException("the block has no trainable parameters");
        }
        offsets = new long[parameters.size() + 1];
        for (int i = 0; i < parameters.size(); i++) {
            offsets[i + 1] = offsets[i] + parameters.get(i).size();
        }
    }

    int count() {
        return parameters.size();
    }

    /** The manager the parameters live in, whose sub-managers hold the flat state. */
    NDManager manager() {
        return parameters.get(0).getManager();
    }

    /** A flat array of zeros with one element per trainable parameter element. */
    NDArray zeros(NDManager manager) {
        return manager.zeros(
                new Shape(offsets[parameters.size()]), parameters.get(0).getDataType());
    }

    /** The positions where a flat array splits into the parameters (for {@code NDArray.split}). */
    long[] cuts() {
        return Arrays.copyOfRange(offsets, 1, parameters.size());
    }

    /** Parameter {@code i}'s part of a flat array, shaped like the parameter, sharing its storage. */
    NDArray view(NDArray flat, int i) {
        return flat.get(new NDIndex().addSliceDim(offsets[i], offsets[i + 1]))
                .reshape(parameters.get(i).getShape());
    }

    /** Every parameter's view of {@code flat}. */
    List<NDArray> views(NDArray flat) {
        List<NDArray> out = new ArrayList<>(parameters.size());
        for (int i = 0; i < parameters.size(); i++) {
            out.add(view(flat, i));
        }
        return out;
    }

    /** The parameters' current values as one flat array in {@code scratch} (no gradient recorded). */
    NDArray flatten(NDManager scratch) {
        NDList flat = new NDList(parameters.size());
        for (NDArray p : parameters) {
            NDArray data = p.stopGradient();
            data.attach(scratch);
            flat.add(data.reshape(-1));
        }
        NDArray out = NDArrays.concat(flat);
        out.attach(scratch);
        return out;
    }
}
