package dev.smdp4j.problem.toy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.sample.Sampler;
import dev.smdp4j.sample.Samplers;
import dev.smdp4j.score.ScoreModel;
import dev.smdp4j.sde.Diffusion;
import dev.smdp4j.sde.Sde;
import dev.smdp4j.sde.TimeGrid;
import dev.smdp4j.train.SmdpModel;
import dev.smdp4j.train.TrainableModel;
import dev.smdp4j.util.EngineArrays;
import dev.smdp4j.util.ItemNoise;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The toy SDE's evaluation, shared by its reproduction ({@link ToyReproduction}) and its demo
 * ({@link ToyDemo}): from the 1000 end states {@code linspace(-0.1, 0.1, 1000)} at {@code t = T},
 * each row integrates back with its score and sampler in {@value #STEPS} Euler steps, and its end
 * states give Q and the hit fractions of the two modes ({@link ModeHits}).
 */
public final class ToyEvaluation {
    /** The evaluation: end states and their number (the reference's). */
    public static final double START_LOW = -0.1;

    public static final double START_HIGH = 0.1;
    public static final int STARTS = 1000;
    /** Euler steps back from T = 10 (step 0.02, the reference's). */
    public static final int STEPS = 500;

    /** A row of the table: a model (a method's training, or the exact score) and a sampler. */
    public record Row(String name, String source, String sampler) {}

    private ToyEvaluation() {}

    /** The evaluation end states, {@code linspace(-0.1, 0.1, 1000)}. */
    public static float[] starts() {
        float[] y = new float[STARTS];
        for (int i = 0; i < STARTS; i++) {
            y[i] = (float) (START_LOW + (START_HIGH - START_LOW) * i / (STARTS - 1));
        }
        return y;
    }

    /**
     * Integrates back from {@code startStates} at {@code t = T} to 0 with a row's score (the
     * checkpoint's, or the closed form the row names when {@code ckpt} is null) and sampler, in
     * {@code steps} Euler steps; diverging paths are carried on as non-finite values (a miss, not a
     * failed row). Returns the end states {@code [n, 1]} and the paths {@code [n, steps + 1]}, time
     * increasing.
     */
    public static HostArray[] integrate(
            NDManager manager,
            DatasetSpec spec,
            Normalisation norm,
            Row row,
            Path ckpt,
            float[] startStates,
            int steps,
            long seed) {
        int n = startStates.length;
        float[] paths = new float[n * (steps + 1)];
        try (NDManager scope = manager.newSubManager()) {
            ScoreModel score;
            Sde sde;
            Sde data = new Sde(spec.problem().physics(scope, norm), Diffusion.constant(spec.diffusion()));
            if (ckpt == null) {
                score = spec.problem().closedFormScore(scope, row.source(), spec, norm, 0.5);
                sde = data;
            } else {
                TrainableModel model = TrainableModel.load(scope, Checkpoint.read(ckpt));
                if (!(model instanceof SmdpModel reverse)) {
                    throw new InvalidInputException(ckpt + " is not a score model");
                }
                score = reverse.score();
                sde = reverse.reverseSde(data);
            }
            Sampler sampler = Samplers.create(row.sampler());
            NDArray xT = EngineArrays.of(scope, startStates, new Shape(n, 1));
            NDArray x0 = sampler.sample(
                    xT,
                    sde,
                    score,
                    TimeGrid.uniform(spec.endTime(), steps),
                    new ItemNoise(seed, 0, n),
                    (index, x) -> {
                        float[] v = x.toFloatArray();
                        for (int i = 0; i < n; i++) {
                            paths[i * (steps + 1) + index] = v[i];
                        }
                    },
                    false);
            return new HostArray[] {new HostArray(x0.toFloatArray(), n, 1), new HostArray(paths, n, steps + 1)};
        }
    }

    /** A table row: the model, the sampler, the diverged paths, and Q and the hit fractions at 1% and 10%. */
    static Map<String, Object> entry(Row row, String model, float[] end) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("row", row.name());
        entry.put("model", model);
        entry.put("sampler", row.sampler());
        entry.put("diverged", new HostArray(end, end.length).countNonFinite());
        for (double tol : new double[] {ModeHits.STRICT, ModeHits.LOOSE}) {
            ModeHits hits = ModeHits.of(end, tol);
            String suffix = tol == ModeHits.STRICT ? "1pct" : "10pct";
            entry.put("q_" + suffix, hits.q());
            entry.put("hit_minus_" + suffix, hits.minus());
            entry.put("hit_plus_" + suffix, hits.plus());
        }
        return entry;
    }

    /** The paths {@code [n][len]} that stayed finite (diverged ones are counted in the table, not drawn). */
    static double[][] finitePaths(HostArray paths) {
        int n = paths.dim(0);
        int len = paths.dim(1);
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] p = new double[len];
            boolean finite = true;
            for (int j = 0; j < len; j++) {
                p[j] = paths.data()[i * len + j];
                finite &= Double.isFinite(p[j]);
            }
            if (finite) {
                out.add(p);
            }
        }
        return out.toArray(new double[0][]);
    }
}
