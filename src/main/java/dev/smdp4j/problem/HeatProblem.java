package dev.smdp4j.problem;

import static dev.smdp4j.io.InvalidInputException.require;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.eval.Evaluation;
import dev.smdp4j.eval.Metrics;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.physics.HeatEquation;
import dev.smdp4j.physics.PhysicsModel;
import dev.smdp4j.score.ExactHeatScore;
import dev.smdp4j.score.ExactNet;
import dev.smdp4j.score.ExactPosterior;
import dev.smdp4j.score.NetworkOutput;
import dev.smdp4j.score.ScaledNetworkScore;
import dev.smdp4j.score.ScoreModel;
import dev.smdp4j.train.Method;
import dev.smdp4j.util.EngineArrays;
import dev.smdp4j.util.GaussianNoise;
import dev.smdp4j.util.Scalars;
import dev.smdp4j.util.Seeds;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The paper's heat benchmark (docs/BENCHMARK.md): Gaussian random field initial states with a
 * power-law spectrum of exponent {@code exponent} on a periodic {@code N x N} grid, the spectral
 * heat solver with diffusivity {@code alpha}, observations {@code H_T(x0) + s e}, reconstruction
 * MSE and spectral error, and the exact score as a closed form.
 */
public record HeatProblem(int gridSize, double exponent, double alpha) implements GaussianFieldProblem {
    public static final String NAME = "heat";
    /** The closed forms: the exact score, the exact one-step network, exact posterior samples and its mean. */
    public static final List<String> CLOSED_FORMS =
            List.of("exact-score", "exact-net", "exact-posterior", "exact-posterior-mean", MAP);

    private static final int CHUNK = 256;

    /** The paper's grid (32), prior exponent (4) and diffusivity (1). */
    public static HeatProblem paper() {
        return new HeatProblem(32, 4, 1);
    }

    static HeatProblem fromParameters(Map<String, ?> m) {
        return new HeatProblem(
                Problems.integer(m, "grid_size"), Problems.number(m, "exponent"), Problems.number(m, "alpha"));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> m = fieldParameters();
        m.put("alpha", alpha);
        return m;
    }

    @Override
    public DatasetSpec defaultSpec() {
        return DatasetSpec.paper().withProblem(this);
    }

    @Override
    public void checkParameters() {
        require(gridSize >= 2 && gridSize <= 1024, "--grid N must be in [2, 1024], got " + gridSize);
        require(Double.isFinite(exponent) && exponent >= 0, "--exponent must be finite and >= 0, got " + exponent);
        require(Double.isFinite(alpha) && alpha >= 0, "--alpha must be finite and >= 0, got " + alpha);
    }

    @Override
    public void validate(DatasetSpec spec) {
        GaussianFieldProblem.super.validate(spec);
        require(
                spec.observationNoise() > 0,
                "--obs-noise s must be > 0 (noise-free observations make the posterior " + "a point), got "
                        + spec.observationNoise());
    }

    /** The spectral heat solver; linear and mean-preserving up to scale, so the same in normalised units. */
    @Override
    public HeatEquation physics(NDManager manager, Normalisation normalisation) {
        return new HeatEquation(manager, alpha);
    }

    /** The observation noise {@code s}: the benchmark observes the noise-free heat solution plus {@code s e}. */
    @Override
    public double mapNoise(DatasetSpec spec) {
        return spec.observationNoise();
    }

    /** {@code H_T(x0) + s e} in normalised units: the exact end state plus observation noise drawn with {@code seed}. */
    @Override
    public HostArray observe(NDManager manager, PhysicsModel physics, HostArray x0, DatasetSpec spec, long seed) {
        GaussianNoise noise = new GaussianNoise(seed);
        int count = x0.dim(0);
        int n = gridSize;
        float[] out = new float[x0.size()];
        for (int start = 0; start < count; start += CHUNK) {
            int b = Math.min(CHUNK, count - start);
            try (NDManager step = manager.newSubManager()) {
                Shape shape = new Shape(b, n, n);
                NDArray x = EngineArrays.of(step, x0.rows(start, start + b).data(), shape);
                NDArray y = physics.advance(x, spec.endTime());
                if (spec.observationNoise() > 0) {
                    y = y.add(Scalars.mul(noise.next(step, shape), spec.observationNoise()));
                }
                System.arraycopy(y.toFloatArray(), 0, out, start * n * n, b * n * n);
            }
        }
        return new HostArray(out, count, n, n);
    }

    @Override
    public Set<Method> methods() {
        return EnumSet.of(
                Method.SMDP,
                Method.HEATGEN,
                Method.RESNET_S,
                Method.RESNET_P,
                Method.BNN_S,
                Method.BNN_P,
                Method.FNO_S,
                Method.FNO_P,
                Method.SURROGATE);
    }

    /** {@code mse}: the reconstruction MSE; {@code spectral}: the spectral error of rings 1-10 (docs/BENCHMARK.md). */
    @Override
    public Map<String, Double> metrics(HostArray truthX0, HostArray estimates, DatasetSpec spec) {
        Evaluation e = Metrics.evaluate(truthX0, estimates, 0, 1, alpha, spec.endTime());
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("mse", e.mse().mean());
        m.put("spectral", e.spectralError().mean());
        return m;
    }

    @Override
    public String posteriorMetric() {
        return "spectral";
    }

    @Override
    public NetworkOutput referenceNetwork(NDManager manager, DatasetSpec spec, Normalisation normalisation) {
        return new ExactNet(manager, spec, normalisation);
    }

    @Override
    public List<String> closedForms() {
        return CLOSED_FORMS;
    }

    @Override
    public ScoreModel closedFormScore(
            NDManager manager, String name, DatasetSpec spec, Normalisation normalisation, double factor) {
        return switch (name) {
            case "exact-score" -> new ExactHeatScore(manager, spec, normalisation);
            case "exact-net" -> new ScaledNetworkScore(new ExactNet(manager, spec, normalisation), factor);
            case "exact-posterior", "exact-posterior-mean", MAP -> null;
            default -> GaussianFieldProblem.super.closedFormScore(manager, name, spec, normalisation, factor);
        };
    }

    /**
     * Samples of the exact posterior ({@code exact-posterior}), or its mean ({@code exact-posterior-mean},
     * one per observation), or the {@link #MAP} estimate (which equals the mean here: tested).
     */
    @Override
    public HostArray closedFormSamples(
            NDManager manager,
            String name,
            DatasetSpec spec,
            Normalisation normalisation,
            HostArray observations,
            int samples,
            long seed) {
        if (name.equals(MAP)) {
            return GaussianFieldProblem.super.closedFormSamples(
                    manager, name, spec, normalisation, observations, samples, seed);
        }
        int count = name.equals("exact-posterior-mean") ? 0 : samples;
        int n = observations.dim(0);
        int size = observations.dim(1);
        try (ExactPosterior posterior = new ExactPosterior(manager, spec, normalisation);
                NDManager scope = manager.newSubManager()) {
            NDArray obs = EngineArrays.of(scope, observations.data(), new Shape(n, size, size));
            if (count == 0) {
                return new HostArray(posterior.mean(obs).toFloatArray(), n, 1, size, size);
            }
            NDArray s = posterior.sample(obs, count, new GaussianNoise(Seeds.derive(seed, "exact-posterior")));
            return new HostArray(s.toFloatArray(), n, count, size, size);
        }
    }

    /** The differences to {@code other}: grid and diffusivity, and unless {@code operatorOnly} the prior's exponent. */
    public List<String> differences(HeatProblem other, boolean operatorOnly) {
        List<String> diff = new ArrayList<>();
        if (gridSize != other.gridSize) {
            diff.add("grid N " + gridSize + " vs " + other.gridSize);
        }
        if (alpha != other.alpha) {
            diff.add("alpha " + alpha + " vs " + other.alpha);
        }
        if (!operatorOnly && exponent != other.exponent) {
            diff.add("prior exponent " + exponent + " vs " + other.exponent);
        }
        return diff;
    }
}
