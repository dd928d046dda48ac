package dev.smdp4j.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.smdp4j.util.EngineArrays;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Copies the parameter values of a DJL {@link Block} to and from host arrays, the form in which
 * {@link Checkpoint} stores them.
 *
 * <p>Keys are {@value #PREFIX} followed by the name the parameter has in
 * {@link Block#getParameters()} (unique across nested blocks). Loading validates everything
 * before it changes anything, and then copies into the block's existing arrays, so the block,
 * and any optimizer holding its parameters, keeps working.
 *
 * <p>The helpers below {@link #load} are shared with the optimizer ({@code train.Adam}) and the
 * weight average, whose state is validated and copied the same way.
 */
public final class ParameterIO {
    /** Prefix of every parameter key, keeping parameters apart from other tensors in a checkpoint. */
    public static final String PREFIX = "param/";

    private ParameterIO() {}

    /**
     * Every parameter's current value, in the block's parameter order.
     *
     * @throws IllegalStateException if the block is not initialized
     * @throws IllegalArgumentException if a parameter is not float32
     */
    public static Map<String, HostArray> export(Block block) {
        Map<String, HostArray> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : parameters(block)) {
            out.put(PREFIX + p.getKey(), toHost(p.getValue().getArray(), "parameter '" + p.getKey() + "'"));
        }
        return out;
    }

    /**
     * Copies values into the block's parameters in place. {@code tensors} may hold other keys
     * (optimizer state, say), but under {@value #PREFIX} it must hold exactly the block's
     * parameters, each with the parameter's shape and only finite values. Nothing is changed
     * unless everything is valid.
     *
     * @throws InvalidInputException naming the parameter and the problem otherwise
     * @throws IllegalStateException if the block is not initialized
     */
    public static void load(Block block, Map<String, HostArray> tensors) {
        List<Pair<String, Parameter>> params = parameters(block);
        List<String> keys = new ArrayList<>();
        for (Pair<String, Parameter> p : params) {
            keys.add(PREFIX + p.getKey());
        }
        requireExactKeys(tensors, PREFIX, keys, "parameter");
        for (int i = 0; i < params.size(); i++) {
            requireCompatible(
                    "parameter '" + keys.get(i) + "'",
                    tensors.get(keys.get(i)),
                    params.get(i).getValue().getArray());
        }
        for (int i = 0; i < params.size(); i++) {
            copyInto(params.get(i).getValue().getArray(), tensors.get(keys.get(i)));
        }
    }

    /** The block's parameters, checked to be initialized. */
    public static List<Pair<String, Parameter>> parameters(Block block) {
        List<Pair<String, Parameter>> params = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (!p.getValue().isInitialized()) {
                throw new IllegalStateException(
                        "parameter '" + p.getKey() + "' is not initialized; call block.initialize(...) first");
            }
            params.add(p);
        }
        return params;
    }

    /** A host copy of a float32 array. */
    public static HostArray toHost(NDArray array, String name) {
        requireFloat32(array, name);
        return new HostArray(array.toFloatArray(), intShape(array.getShape()));
    }

    /**
     * Checks that the keys of {@code tensors} starting with {@code prefix} are exactly
     * {@code expected}, reporting every missing and every unexpected key at once.
     */
    public static void requireExactKeys(
            Map<String, HostArray> tensors, String prefix, Collection<String> expected, String what) {
        Set<String> wanted = new HashSet<>(expected);
        Set<String> missing = new TreeSet<>(wanted);
        missing.removeAll(tensors.keySet());
        Set<String> unexpected = new TreeSet<>();
        for (String key : tensors.keySet()) {
            if (key.startsWith(prefix) && !wanted.contains(key)) {
                unexpected.add(key);
            }
        }
        List<String> problems = new ArrayList<>();
        if (!missing.isEmpty()) {
            problems.add("missing " + what + " " + quoted(missing));
        }
        if (!unexpected.isEmpty()) {
            problems.add("unexpected " + what + " " + quoted(unexpected) + " (was it saved from a different network?)");
        }
        if (!problems.isEmpty()) {
            throw new InvalidInputException(String.join("; ", problems));
        }
    }

    /**
     * Checks that {@code value} can be copied into {@code target}: same shape, all finite.
     *
     * @throws IllegalArgumentException if {@code target} is not float32 (a programming error)
     */
    public static void requireCompatible(String what, HostArray value, NDArray target) {
        requireFloat32(target, what);
        int[] expected = intShape(target.getShape());
        if (!Arrays.equals(expected, value.shape())) {
            throw new InvalidInputException(
                    what + ": expected shape " + Arrays.toString(expected) + ", got " + value.shapeString());
        }
        int bad = value.firstNonFinite();
        if (bad >= 0) {
            throw new InvalidInputException(
                    what + ": element " + bad + " is " + value.data()[bad] + "; every value must be finite");
        }
    }

    /**
     * Overwrites {@code target}'s values in place, in its own storage, also when it requires a
     * gradient or is a view of a larger array (Adam's flat moments). Not {@code NDArray.set(Buffer)}:
     * on the PyTorch engine that makes the tensor alias a new Java buffer, which detaches a view.
     */
    public static void copyInto(NDArray target, HostArray value) {
        EngineArrays.copyInto(target, value.data());
    }

    /** The whole, non-negative count held by a one-element array (a step count in optimizer state). */
    public static long wholeCount(HostArray t, String key) {
        float value = t.size() == 1 ? t.data()[0] : Float.NaN;
        if (t.rank() != 1 || !(value >= 0) || value != Math.rint(value) || Float.isInfinite(value)) {
            throw new InvalidInputException("optimizer state '" + key
                    + "': expected a one-element array holding a whole count >= 0, got shape "
                    + t.shapeString() + (t.size() == 1 ? " holding " + value : ""));
        }
        return (long) value;
    }

    public static int[] intShape(Shape shape) {
        int[] out = new int[shape.dimension()];
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.toIntExact(shape.get(i));
        }
        return out;
    }

    private static void requireFloat32(NDArray array, String name) {
        if (array.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException(
                    name + " has data type " + array.getDataType() + "; only float32 is supported");
        }
    }

    private static String quoted(Collection<String> keys) {
        List<String> out = new ArrayList<>();
        for (String key : keys) {
            out.add("'" + key + "'");
        }
        return String.join(", ", out);
    }
}
