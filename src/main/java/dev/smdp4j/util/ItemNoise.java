package dev.smdp4j.util;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Noise with one independent stream per batch item, seeded by the item's global index, so a
 * sample's noise (and hence the sample) does not depend on how items are grouped into batches.
 */
public final class ItemNoise implements NoiseSource {
    private final GaussianNoise[] streams;

    /** Streams for items {@code first, ..., first + count - 1} under {@code seed}. */
    public ItemNoise(long seed, long first, int count) {
        this(java.util.stream.LongStream.range(first, first + count)
                .map(i -> Seeds.derive(seed, i))
                .toArray());
    }

    /** Streams for the items of a batch, one per seed. */
    public ItemNoise(long[] seeds) {
        streams = new GaussianNoise[seeds.length];
        for (int i = 0; i < seeds.length; i++) {
            streams[i] = new GaussianNoise(seeds[i]);
        }
    }

    @Override
    public NDArray next(NDManager manager, Shape shape) {
        if (shape.get(0) != streams.length) {
            throw new IllegalArgumentException("noise for " + streams.length + " items requested with shape " + shape);
        }
        int per = Math.toIntExact(shape.size() / streams.length);
        float[] out = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < streams.length; i++) {
            System.arraycopy(streams[i].next(per), 0, out, i * per, per);
        }
        return EngineArrays.of(manager, out, shape);
    }
}
