package dev.smdp4j.util;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * A seeded source of standard normal tensors. Draws are made on the host from a
 * {@link SplittableRandom}, so a seed gives the same numbers on every machine and thread count,
 * independent of the engine's global random state.
 */
public final class GaussianNoise implements NoiseSource {
    private final SplittableRandom random;

    public GaussianNoise(long seed) {
        this.random = new SplittableRandom(seed);
    }

    /** {@code count} standard normal numbers. */
    public float[] next(int count) {
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            out[i] = (float) random.nextGaussian();
        }
        return out;
    }

    @Override
    public NDArray next(NDManager manager, Shape shape) {
        return EngineArrays.of(manager, next(Math.toIntExact(shape.size())), shape);
    }

    /** A uniform number in [0, 1). */
    public double nextUniform() {
        return random.nextDouble();
    }
}
