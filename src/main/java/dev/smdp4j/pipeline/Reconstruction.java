package dev.smdp4j.pipeline;

import ai.djl.ndarray.NDManager;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.physics.PhysicsModel;
import dev.smdp4j.problem.HeatProblem;
import dev.smdp4j.problem.Problem;
import dev.smdp4j.sample.PosteriorSampling;
import dev.smdp4j.sample.Sampler;
import dev.smdp4j.sample.Samplers;
import dev.smdp4j.sample.Seeding;
import dev.smdp4j.score.ScaledNetworkScore;
import dev.smdp4j.score.ScoreModel;
import dev.smdp4j.sde.Diffusion;
import dev.smdp4j.sde.Sde;
import dev.smdp4j.sde.TimeGrid;
import dev.smdp4j.train.OneShotModel;
import dev.smdp4j.train.SmdpModel;
import dev.smdp4j.train.TrainableModel;
import dev.smdp4j.util.Progress;
import java.util.List;

/**
 * Reconstructs initial states {@code x0 [n, K, ...state]} from observations {@code y [n, ...state]}
 * (normalised units) with a trained model of any method or with a closed form: what
 * {@code smdp sample} and {@code smdp reproduce} run.
 */
public final class Reconstruction {
    /** The closed forms of the heat benchmark, usable in place of a checkpoint (each problem lists its own). */
    public static final List<String> CLOSED_FORMS = HeatProblem.CLOSED_FORMS;

    private Reconstruction() {}

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
    public record Request(
            String sampler,
            int steps,
            int samples,
            long seed,
            int batch,
            int correctorSteps,
            double snr,
            Double scoreFactor)
            implements java.io.Serializable {
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
            return new Request(
                    sampler, steps, samples, seed, 32, Samplers.DEFAULT_CORRECTOR_STEPS, Samplers.DEFAULT_SNR, null);
        }

        /** This request with the model's score factor overridden by {@code factor}. */
        public Request withScoreFactor(double factor) {
            return new Request(sampler, steps, samples, seed, batch, correctorSteps, snr, factor);
        }

        String samplerName() {
            return sampler != null ? sampler : "sde";
        }
    }

    /** Predictions with a description of what produced them ({@code sampler} as recorded in provenance). */
    public record Result(HostArray x0, String description, String sampler) {}

    /** With a model loaded from a checkpoint. */
    public static Result run(NDManager manager, TrainableModel model, HostArray y, Request request, Progress progress) {
        return run(manager, model, y, request, Seeding.global(request.seed()), true, progress);
    }

    /**
     * As {@link #run(NDManager, TrainableModel, HostArray, Request, Progress)} with the random streams
     * of {@code seeding} (the request's seed is then only recorded); unless {@code stopOnNonFinite},
     * samples that become non-finite are returned as they are instead of failing the call.
     */
    public static Result run(
            NDManager manager,
            TrainableModel model,
            HostArray y,
            Request request,
            Seeding seeding,
            boolean stopOnNonFinite,
            Progress progress) {
        if (model instanceof OneShotModel oneShot) {
            if (request.sampler() != null) {
                throw new InvalidInputException("--sampler does not apply to the one-shot baseline "
                        + model.method().id() + " (it predicts x0 = y + net(y)); leave it out");
            }
            HostArray x0 = seeding.isKeyed()
                    ? perObservation(
                            y,
                            request.samples(),
                            (one, i) -> oneShot.predict(manager, one, request.samples(), seeding.observation(i), null),
                            progress)
                    : oneShot.predict(manager, y, request.samples(), request.seed(), progress);
            return new Result(x0, model.method().id(), "one-shot");
        }
        if (!(model instanceof SmdpModel reverse)) {
            throw new InvalidInputException("a " + model.method().id() + " checkpoint is a physics model, not a "
                    + "reconstruction model: use it as SMDP's drift with --physics surrogate:CKPT");
        }
        DatasetSpec spec = reverse.spec();
        try (NDManager scope = manager.newSubManager()) {
            PhysicsModel physics = spec.problem().physics(scope, reverse.normalisation());
            Sde sde = reverse.reverseSde(new Sde(physics, Diffusion.constant(spec.diffusion())));
            ScoreModel score = request.scoreFactor() != null ? reverse.score(request.scoreFactor()) : reverse.score();
            return sample(manager, spec, sde, score, y, request, seeding, stopOnNonFinite, progress);
        }
    }

    /** Runs the request's sampler with {@code score} over the reverse-time {@code sde} on the data set's time grid. */
    private static Result sample(
            NDManager manager,
            DatasetSpec spec,
            Sde sde,
            ScoreModel score,
            HostArray y,
            Request request,
            Seeding seeding,
            boolean stopOnNonFinite,
            Progress progress) {
        Sampler sampler = Samplers.create(request.samplerName(), request.correctorSteps(), request.snr());
        TimeGrid grid = TimeGrid.uniform(spec.endTime(), request.steps());
        HostArray x0 = PosteriorSampling.run(
                manager,
                y,
                request.samples(),
                sampler,
                sde,
                score,
                grid,
                seeding,
                request.batch(),
                stopOnNonFinite,
                progress);
        return new Result(x0, score.describe(), request.samplerName());
    }

    /**
     * With a closed form of the data set's problem ({@link Problem#closedForms()}) for its parameters
     * and normalisation, noise from the streams of {@code seeding} ({@link Seeding#global} for one
     * seed); a keyed direct closed form reconstructs each observation
     * on its own, from its own seed.
     */
    public static Result closedForm(
            NDManager manager,
            String name,
            DatasetSpec spec,
            Normalisation norm,
            HostArray y,
            Request request,
            Seeding seeding,
            boolean stopOnNonFinite,
            Progress progress) {
        Problem problem = spec.problem();
        if (!problem.closedForms().contains(name)) {
            throw new InvalidInputException(
                    "unknown closed form '" + name + "' for problem " + problem.name() + "; valid: "
                            + (problem.closedForms().isEmpty() ? "none" : String.join(", ", problem.closedForms())));
        }
        double factor = request.scoreFactor() != null ? request.scoreFactor() : ScaledNetworkScore.TWEEDIE_FACTOR;
        try (NDManager scope = manager.newSubManager()) {
            ScoreModel score = problem.closedFormScore(scope, name, spec, norm, factor);
            if (score == null) {
                HostArray x0;
                if (seeding.isKeyed() && !problem.closedFormInFixedBatches(name)) {
                    x0 = perObservation(
                            y,
                            request.samples(),
                            (one, i) -> {
                                try (NDManager each = scope.newSubManager()) {
                                    return problem.closedFormSamples(
                                            each, name, spec, norm, one, request.samples(), seeding.observation(i));
                                }
                            },
                            progress);
                } else {
                    x0 = problem.closedFormSamples(scope, name, spec, norm, y, request.samples(), request.seed());
                    if (progress != null) {
                        progress.advance((long) y.dim(0) * request.samples(), "");
                    }
                }
                return new Result(x0, name, "closed form");
            }
            Sde sde = new Sde(problem.physics(scope, norm), Diffusion.constant(spec.diffusion()));
            return sample(scope, spec, sde, score, y, request, seeding, stopOnNonFinite, progress);
        }
    }

    /**
     * {@code reconstruct} applied to one observation at a time ({@code [1, ...state]}, its index),
     * each with its own seed: the keyed route for models that draw one random stream per call (the
     * BNN's dropout masks, the exact posterior), so that an observation's samples depend on nothing
     * else. Returns {@code [n, K, ...state]}.
     */
    private static HostArray perObservation(
            HostArray y, int samples, ObservationReconstruction reconstruct, Progress progress) {
        int n = y.dim(0);
        float[] out = null;
        int[] shape = null;
        int per = 0;
        for (int i = 0; i < n; i++) {
            HostArray one = reconstruct.apply(y.rows(i, i + 1), i);
            if (out == null) {
                per = one.size();
                shape = one.shape().clone();
                shape[0] = n;
                out = new float[Math.multiplyExact(per, n)];
            }
            System.arraycopy(one.data(), 0, out, i * per, per);
            if (progress != null) {
                progress.advance(samples, "");
            }
        }
        if (out == null) {
            int[] s = y.shape();
            int[] empty = new int[s.length + 1];
            empty[1] = samples;
            System.arraycopy(s, 1, empty, 2, s.length - 1);
            return new HostArray(new float[0], empty);
        }
        return new HostArray(out, shape);
    }

    /** One observation's reconstruction. */
    @FunctionalInterface
    private interface ObservationReconstruction {
        HostArray apply(HostArray observation, int index);
    }
}
