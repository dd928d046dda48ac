package dev.smdp4j.problem;

import ai.djl.ndarray.NDManager;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.nn.NetworkConfig;
import dev.smdp4j.physics.GaussianPrior;
import dev.smdp4j.physics.GaussianRandomField;
import dev.smdp4j.train.Method;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A problem whose states are fields on a periodic {@code N x N} grid, drawn initially from a
 * Gaussian random field with a power-law spectrum of exponent {@code exponent} (the heat benchmark,
 * Navier-Stokes): the state shape, the initial states, the Gaussian prior, the first two
 * parameters and the default networks and schedules (the methods' own, made for such fields) are
 * the same for all of them.
 */
public interface GaussianFieldProblem extends Problem {
    /** The grid size {@code N}. */
    int gridSize();

    /** The power-law exponent of the initial states' spectrum. */
    double exponent();

    @Override
    default int[] stateShape() {
        return new int[] {gridSize(), gridSize()};
    }

    /** The Gaussian random field of {@link #initialStates}, per mode in normalised units. */
    @Override
    default GaussianPrior gaussianPrior(NDManager manager, DatasetSpec spec, Normalisation normalisation) {
        return new GaussianRandomField(exponent()).prior(manager, gridSize(), normalisation.std());
    }

    @Override
    default HostArray initialStates(NDManager manager, int count, long seed) {
        return new GaussianRandomField(exponent()).sample(manager, count, gridSize(), seed);
    }

    /**
     * A new insertion-ordered map of the parameters every such problem has, {@code grid_size} and
     * {@code exponent}, for {@link #parameters} to add its own to.
     */
    default Map<String, Object> fieldParameters() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("grid_size", gridSize());
        m.put("exponent", exponent());
        return m;
    }

    /** The method's own default network ({@link Method#defaultNetwork}). */
    @Override
    default NetworkConfig defaultNetwork(Method method) {
        return method.defaultNetwork();
    }

    /** The method's own default window schedule ({@link Method#defaultSchedule}). */
    @Override
    default String defaultSchedule(Method method) {
        return method.defaultSchedule();
    }
}
