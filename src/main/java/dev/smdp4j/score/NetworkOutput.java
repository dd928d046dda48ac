package dev.smdp4j.score;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import dev.smdp4j.util.EngineArrays;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The raw output {@code net(x, t)} of a score network as it enters the SMDP training step
 * {@code x_{m-1} = x_m - P_d(x_m) + d (1/2) g^2 net(x_m, t_m)} (Algorithm 1, ODE line). How it
 * relates to the score is a separate, explicit choice: see {@link ScaledNetworkScore}.
 */
public interface NetworkOutput {

    /** {@code net(x, t)} for a batch {@code [B, N, N]}, in {@code x}'s manager. */
    NDArray output(NDArray x, double t);

    /**
     * {@code net(x_i, t_i)} with row {@code i} of the batch at time {@code times[i]}: what a training
     * objective uses to decorrelate the times within one update. By default one pass of {@link
     * #output(NDArray, double)} per distinct time, on that time's rows; networks that take the time
     * as an input (the toy's MLP) override it with a single pass.
     */
    default NDArray output(NDArray x, double[] times) {
        int batch = Math.toIntExact(x.getShape().get(0));
        if (times.length != batch) {
            throw new IllegalArgumentException(times.length + " times for a batch of " + batch);
        }
        Map<Double, List<Integer>> byTime = new LinkedHashMap<>();
        for (int i = 0; i < batch; i++) {
            byTime.computeIfAbsent(times[i], t -> new ArrayList<>()).add(i);
        }
        NDList parts = new NDList(byTime.size());
        long[] order = new long[batch]; // position in the concatenated parts -> row
        int next = 0;
        for (Map.Entry<Double, List<Integer>> group : byTime.entrySet()) {
            long[] rows =
                    group.getValue().stream().mapToLong(Integer::longValue).toArray();
            System.arraycopy(rows, 0, order, next, rows.length);
            next += rows.length;
            parts.add(output(EngineArrays.rows(x, rows), group.getKey()));
        }
        long[] inverse = new long[batch]; // row -> position
        for (int k = 0; k < batch; k++) {
            inverse[(int) order[k]] = k;
        }
        NDArray all = parts.size() == 1 ? parts.head() : NDArrays.concat(parts);
        return EngineArrays.rows(all, inverse);
    }

    /** A short name for provenance. */
    String describe();
}
