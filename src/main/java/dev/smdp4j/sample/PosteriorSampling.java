package dev.smdp4j.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.score.ScoreModel;
import dev.smdp4j.sde.Sde;
import dev.smdp4j.sde.TimeGrid;
import dev.smdp4j.util.EngineArrays;
import dev.smdp4j.util.ItemNoise;
import dev.smdp4j.util.Progress;
import dev.smdp4j.util.Shapes;

/**
 * Runs a sampler over many observations and samples: the {@code n x K} items (observation i,
 * sample k) are batched into one tensor in chunks of {@code batch}; item {@code i K + k} draws its
 * noise from its own seeded stream, so results do not depend on the batch size. Normalised units.
 */
public final class PosteriorSampling {
    private PosteriorSampling() {}

    /**
     * Samples {@code [n, K, ...state]} for observations {@code y} {@code [n, ...state]}, item
     * {@code i K + k} drawing its noise from the stream {@code seeding} gives it ({@link
     * Seeding#global} for one seed). Engine batches hold items {@code [j batch, (j+1) batch)}, so two
     * calls give bit-identical samples for an observation when its items fall into batches of the
     * same composition. Unless {@code stopOnNonFinite}, an item that leaves finite values is
     * returned as it ended (NaN or infinite) instead of failing the call.
     */
    public static HostArray run(
            NDManager parent,
            HostArray y,
            int samples,
            Sampler sampler,
            Sde sde,
            ScoreModel score,
            TimeGrid grid,
            Seeding seeding,
            int batch,
            boolean stopOnNonFinite,
            Progress progress) {
        if (samples < 1) {
            throw new InvalidInputException("--samples must be >= 1, got " + samples);
        }
        if (batch < 1) {
            throw new InvalidInputException("--batch must be >= 1, got " + batch);
        }
        int n = y.dim(0);
        int field = y.strideOfFirstAxis();
        int[] state = Shapes.state(y.shape());
        long items = (long) n * samples;
        float[] out = new float[Math.toIntExact(items * field)];
        float[] input = y.data();
        for (long first = 0; first < items; first += batch) {
            int count = (int) Math.min(batch, items - first);
            float[] chunk = new float[count * field];
            for (int j = 0; j < count; j++) {
                int observation = (int) ((first + j) / samples);
                System.arraycopy(input, observation * field, chunk, j * field, field);
            }
            try (NDManager scope = parent.newSubManager()) {
                NDArray xT = EngineArrays.of(scope, chunk, Shapes.batch(count, state));
                NDArray x0;
                try {
                    long[] seeds = new long[count];
                    for (int j = 0; j < count; j++) {
                        seeds[j] = seeding.item(first + j, samples);
                    }
                    x0 = sampler.sample(xT, sde, score, grid, new ItemNoise(seeds), null, stopOnNonFinite);
                } catch (NonFiniteStateException e) {
                    long item = first + e.item();
                    throw new InvalidInputException(
                            "sampler '" + sampler.name() + "' produced a non-finite state for "
                                    + "observation " + item / samples + ", sample " + item % samples + " at step "
                                    + e.step()
                                    + " of " + e.steps()
                                    + " (the score or the step count may be unsuitable; try more --steps)",
                            e);
                }
                float[] result = x0.toFloatArray();
                int bad = stopOnNonFinite ? new HostArray(result, result.length).firstNonFinite() : -1;
                if (bad >= 0) {
                    long item = first + bad / field;
                    throw new InvalidInputException("sampler '" + sampler.name() + "' produced a non-finite value for "
                            + "observation " + item / samples + ", sample " + item % samples
                            + " (the score or the step count may be unsuitable; try more --steps)");
                }
                System.arraycopy(result, 0, out, (int) (first * field), result.length);
            }
            if (progress != null) {
                progress.advance(count, "");
            }
        }
        return new HostArray(out, Shapes.prepend(n, Shapes.prepend(samples, state)));
    }
}
