package dev.smdp4j.sample;

import dev.smdp4j.util.Seeds;
import java.util.Arrays;

/**
 * Where the random stream of each sample comes from. Item {@code i K + k} is sample {@code k} of
 * observation {@code i} (K samples per observation).
 *
 * <ul>
 *   <li>{@link #global(long)}: item {@code j}'s stream is seeded by {@code (seed, j)}: what
 *       training, validation, {@code smdp reproduce} and {@code smdp demo} use.
 *   <li>{@link #keyed(long[])}: every observation has its own seed, derived from the user seed and
 *       the observation's key ({@link #observationSeed(long, String)}), and sample {@code k}'s
 *       stream is seeded by {@code (observation seed, k)}: what {@code smdp sample} and
 *       {@code smdp sample-batch} use, so that an observation gets the same samples wherever it is
 *       processed.
 * </ul>
 */
public final class Seeding {
    private final long seed;
    private final long[] observationSeeds;

    private Seeding(long seed, long[] observationSeeds) {
        this.seed = seed;
        this.observationSeeds = observationSeeds;
    }

    /** Item {@code j}'s stream seeded by {@code (seed, j)}. */
    public static Seeding global(long seed) {
        return new Seeding(seed, null);
    }

    /** One seed per observation ({@link #observationSeed(long, String)}). */
    public static Seeding keyed(long[] observationSeeds) {
        return new Seeding(0, observationSeeds.clone());
    }

    /** The key of the observation at {@code index} of the file at {@code path} (relative to the input directory, {@code /}-separated). */
    public static String key(String path, long index) {
        return path + "#" + index;
    }

    /** The seed of the observation with {@code key} under the user's {@code seed}. */
    public static long observationSeed(long seed, String key) {
        return Seeds.derive(Seeds.derive(seed, "observation"), key);
    }

    /** The seeds of the observations with {@code keys} under the user's {@code seed}. */
    public static long[] observationSeeds(long seed, String... keys) {
        return Arrays.stream(keys).mapToLong(k -> observationSeed(seed, k)).toArray();
    }

    /** True for {@link #keyed(long[])}. */
    public boolean isKeyed() {
        return observationSeeds != null;
    }

    /** The seed of observation {@code i} ({@link #keyed(long[])} only). */
    public long observation(int i) {
        return observationSeeds[i];
    }

    /** The seed of item {@code item} (sample {@code item % samples} of observation {@code item / samples}). */
    public long item(long item, int samples) {
        if (observationSeeds == null) {
            return Seeds.derive(seed, item);
        }
        return Seeds.derive(observationSeeds[Math.toIntExact(item / samples)], item % samples);
    }
}
