package dev.smdp4j.util;

import java.nio.charset.StandardCharsets;

/** Derives independent, reproducible seeds from one user seed and a label (SplitMix64 mixing). */
public final class Seeds {
    private Seeds() {}

    /** A seed for the stream named {@code label} under the user seed {@code seed}. */
    public static long derive(long seed, String label) {
        long h = mix(seed);
        for (byte b : label.getBytes(StandardCharsets.UTF_8)) {
            h = mix(h ^ (b & 0xff));
        }
        return h;
    }

    /** A seed for the {@code index}-th item of a stream. */
    public static long derive(long seed, long index) {
        return mix(mix(seed) ^ mix(index + 0x632BE59BD9B4E019L));
    }

    private static long mix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
