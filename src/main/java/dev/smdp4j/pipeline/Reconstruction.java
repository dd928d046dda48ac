package dev.smdp4j.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.physics.HeatEquation;
import dev.smdp4j.sample.PosteriorSampling;
import dev.smdp4j.sample.Sampler;
import dev.smdp4j.sample.Samplers;
import dev.smdp4j.score.ExactHeatScore;
import dev.smdp4j.score.ExactNet;
import dev.smdp4j.score.ExactPosterior;
import dev.smdp4j.score.ScaledNetworkScore;
import dev.smdp4j.score.ScoreModel;
import dev.smdp4j.sde.Diffusion;
import dev.smdp4j.sde.Sde;
import dev.smdp4j.sde.TimeGrid;
import dev.smdp4j.train.OneShotModel;
import dev.smdp4j.train.SmdpModel;
import dev.smdp4j.train.TrainableModel;
import dev.smdp4j.util.GaussianNoise;
import dev.smdp4j.util.Progress;
import dev.smdp4j.util.Seeds;
import java.util.List;
import dev.smdp4j.util.EngineArrays;

/**
 * Reconstructs initial states {@code x0 [n, K, N, N]} from observations {@code y [n, N, N]}
 * (normalised units) with a trained model of any method or with a closed form: what
 * {@code smdp sample} and {@code smdp reproduce} run.
 */
public final class Reconstruction {
    /** The closed forms of the heat benchmark, usable in place of a checkpoint. */
    public static final List<String> CLOSED_FORMS = List.of("exact-score", "exact-net", "exact-posterior",
            "exact-posterior-mean");

    private Reconstruction() {
    }

    /**
     * How to reconstruct.
     *
     * @param sampler sampler name, or null for the default ({@code sde}); must be null for one-shot models
     * @param steps time steps of the reverse process
     * @param samples predictions per observation
     * @param seed seed of every random draw
     * @param batch items per engine batch
     * @param correctorSteps Langevin steps of the {@code pc} sampler
     * @param snr signal-to-noise ratio of the {@code pc} corrector
     * @param scoreFactor overrides the model's score = factor x net, or null
     */
    public record Request(String sampler, int steps, int samples, long seed, int batch, int correctorSteps, double snr,
            Double scoreFactor) {
        public Request {
            if (steps < 1) {
                throw new InvalidInputException("--steps must be >= 1, got " + steps);
            }
            if (samples < 1) {
                throw new InvalidInputException("--samples must be >= 1, got " + samples);
            }
        }

        /** The defaults of {@code smdp sample} for a sampler, step count, sample count and seed. */
        public static Request of(String sampler, int steps, int samples, long seed) {
            return new Request(sampler, steps, samples, seed, 32, 1, 0.16, null);
        }

        String samplerName() {
            return sampler != null ? sampler : "sde";
        }
    }

    /** Predictions with a description of what produced them ({@code sampler} as recorded in provenance). */
    public record Result(HostArray x0, String description, String sampler) {
    }

    /** With a model loaded from a checkpoint. */
    public static Result run(NDManager manager, TrainableModel model, HostArray y, Request request, Progress progress) {
        if (model instanceof OneShotModel oneShot) {
            if (request.sampler() != null) {
                throw new InvalidInputException("--sampler does not apply to the one-shot baseline "
                        + model.method().id() + " (it predicts x0 = y + net(y)); leave it out");
            }
            return new Result(oneShot.predict(manager, y, request.samples(), request.seed(), progress),
                    model.method().id(), "one-shot");
        }
        if (!(model instanceof SmdpModel reverse)) {
            throw new InvalidInputException("a " + model.method().id() + " checkpoint is a physics model, not a "
                    + "reconstruction model: use it as SMDP's drift with --physics surrogate:CKPT");
        }
        Sampler sampler = Samplers.create(request.samplerName(), request.correctorSteps(), request.snr());
        DatasetSpec spec = reverse.spec();
        try (HeatEquation heat = new HeatEquation(manager, spec.alpha())) {
            Sde sde = reverse.reverseSde(new Sde(heat, Diffusion.constant(spec.diffusion())));
            ScoreModel score = request.scoreFactor() != null ? reverse.score(request.scoreFactor()) : reverse.score();
            HostArray x0 = PosteriorSampling.run(manager, y, request.samples(), sampler, sde, score,
                    TimeGrid.uniform(spec.endTime(), request.steps()), request.seed(), request.batch(), progress);
            return new Result(x0, score.describe(), request.samplerName());
        }
    }

    /** With a closed form ({@link #CLOSED_FORMS}) for a data set's parameters and normalisation. */
    public static Result closedForm(NDManager manager, String name, DatasetSpec spec, Normalisation norm, HostArray y,
            Request request, Progress progress) {
        if (!CLOSED_FORMS.contains(name)) {
            throw new InvalidInputException("unknown closed form '" + name + "'; valid: " + String.join(", ", CLOSED_FORMS));
        }
        if (name.startsWith("exact-posterior")) {
            HostArray x0 = exactPosterior(manager, spec, norm, y, name.equals("exact-posterior-mean") ? 0
                    : request.samples(), request.seed());
            if (progress != null) {
                progress.advance((long) y.dim(0) * request.samples(), "");
            }
            return new Result(x0, name, "closed form");
        }
        Sampler sampler = Samplers.create(request.samplerName(), request.correctorSteps(), request.snr());
        try (HeatEquation heat = new HeatEquation(manager, spec.alpha());
                ExactHeatScore exactScore = new ExactHeatScore(manager, spec, norm);
                ExactNet exactNet = new ExactNet(manager, spec, norm)) {
            Sde sde = new Sde(heat, Diffusion.constant(spec.diffusion()));
            double factor = request.scoreFactor() != null ? request.scoreFactor() : ScaledNetworkScore.TWEEDIE_FACTOR;
            ScoreModel score = name.equals("exact-score") ? exactScore : new ScaledNetworkScore(exactNet, factor);
            HostArray x0 = PosteriorSampling.run(manager, y, request.samples(), sampler, sde, score,
                    TimeGrid.uniform(spec.endTime(), request.steps()), request.seed(), request.batch(), progress);
            return new Result(x0, score.describe(), request.samplerName());
        }
    }

    /** Samples of the exact posterior, or its mean ({@code samples == 0}, one prediction per observation). */
    private static HostArray exactPosterior(NDManager manager, DatasetSpec spec, Normalisation norm, HostArray y,
            int samples, long seed) {
        int n = y.dim(0);
        int size = y.dim(1);
        try (ExactPosterior posterior = new ExactPosterior(manager, spec, norm); NDManager scope = manager.newSubManager()) {
            NDArray obs = EngineArrays.of(scope, y.data(), new Shape(n, size, size));
            if (samples == 0) {
                return new HostArray(posterior.mean(obs).toFloatArray(), n, 1, size, size);
            }
            NDArray s = posterior.sample(obs, samples, new GaussianNoise(Seeds.derive(seed, "exact-posterior")));
            return new HostArray(s.toFloatArray(), n, samples, size, size);
        }
    }
}
