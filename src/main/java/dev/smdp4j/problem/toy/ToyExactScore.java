package dev.smdp4j.problem.toy;

import ai.djl.ndarray.NDArray;
import dev.smdp4j.score.ScoreModel;
import dev.smdp4j.util.EngineArrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The toy SDE's exact score {@code d/dx log p_t(x)} from the Fokker-Planck reference
 * ({@link FokkerPlanck}), as a {@link ScoreModel} for the samplers: the "exact-score" rows of the
 * toy's table and the reference the tests drive the samplers with. Evaluated on the host per
 * element (states are scalars). One solution per {@code (lambda, g, T)} is kept for the process.
 */
public final class ToyExactScore implements ScoreModel {
    private static final Map<List<Double>, FokkerPlanck> SOLUTIONS = new HashMap<>();
    private final FokkerPlanck solution;

    public ToyExactScore(double lambda, double g, double endTime) {
        this.solution = solution(lambda, g, endTime);
    }

    /** The (cached) Fokker-Planck solution for these parameters. */
    public static synchronized FokkerPlanck solution(double lambda, double g, double endTime) {
        return SOLUTIONS.computeIfAbsent(List.of(lambda, g, endTime), k -> FokkerPlanck.defaults(lambda, g, endTime));
    }

    @Override
    public NDArray score(NDArray x, double t) {
        float[] v = x.toFloatArray();
        float[] s = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            s[i] = (float) solution.score(v[i], t);
        }
        return EngineArrays.of(x.getManager(), s, x.getShape());
    }

    @Override
    public String describe() {
        return "exact-score(fokker-planck)";
    }
}
