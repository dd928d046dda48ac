package dev.smdp4j.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.smdp4j.sde.ForwardSimulation;
import dev.smdp4j.sde.Sde;
import dev.smdp4j.sde.TimeGrid;
import dev.smdp4j.util.EngineArrays;
import dev.smdp4j.util.GaussianNoise;
import java.util.Arrays;
import java.util.function.DoubleToIntFunction;

/**
 * A batch's one-step rows at independent times: {@code perField} rows per field, row {@code i}
 * at its own time index {@code m_i}, with its state {@code x_{m_i}} and the state before it
 * {@code x_{m_i - 1}} of the same trajectory, each {@code [rows, ...state]}. Shared by the
 * objectives that train every row at its own time ({@link UnrolledOdeObjective#withIndependentTimes},
 * {@link ScoreMatchingObjective}).
 */
record OneStepRows(NDArray state, NDArray previous, double[] times) {

    /**
     * Draws the rows' time indices ({@code timeIndex} of one uniform each, in row order), then,
     * unless {@code x0} holds stored trajectories {@code [B, M + 1, ...state]}, simulates the
     * batch's trajectories up to the latest of them; then gathers the rows.
     */
    static OneStepRows draw(
            Sde sde,
            TimeGrid grid,
            NDArray x0,
            boolean givenTrajectories,
            int perField,
            DoubleToIntFunction timeIndex,
            GaussianNoise random) {
        int batch = Math.toIntExact(x0.getShape().get(0));
        int rows = Math.multiplyExact(batch, perField);
        int[] m = new int[rows];
        int last = 1;
        for (int i = 0; i < rows; i++) {
            m[i] = timeIndex.applyAsInt(random.nextUniform());
            last = Math.max(last, m[i]);
        }
        NDArray states = givenTrajectories ? x0 : ForwardSimulation.trajectory(sde, grid, x0, random, last);
        long length = states.getShape().get(1);
        long[] at = new long[rows];
        double[] times = new double[rows];
        for (int i = 0; i < rows; i++) {
            at[i] = (i / perField) * length + m[i];
            times[i] = grid.time(m[i]);
        }
        long[] before = Arrays.stream(at).map(r -> r - 1).toArray();
        NDArray flat = states.reshape(
                new Shape(batch * length).addAll(states.getShape().slice(2)));
        NDArray state = EngineArrays.rows(flat, at);
        NDArray previous = EngineArrays.rows(flat, before);
        return new OneStepRows(state, previous, times);
    }

    /** {@code values[i]} for row {@code i}, shaped {@code [rows, 1, ...]} to broadcast against the rows' states. */
    NDArray perRow(float[] values) {
        long[] shape = new long[state.getShape().dimension()];
        Arrays.fill(shape, 1);
        shape[0] = values.length;
        return EngineArrays.of(state.getManager(), values, new Shape(shape));
    }
}
