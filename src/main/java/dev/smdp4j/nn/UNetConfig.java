package dev.smdp4j.nn;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.smdp4j.io.InvalidInputException;

/**
 * Architecture of {@link UNet}, the network of the Monte-Carlo-dropout "BNN" baseline.
 *
 * <p>Channels: level {@code l} of the encoder and decoder (resolution {@code N / 2^l}) has
 * {@code width * 2^l} channels, capped at {@code 8 * width}; the bottleneck is "level
 * {@code levels}" with the same rule. So the default (16, 5) has 16, 32, 64, 128, 128 channels at
 * the five levels and 128 in the bottleneck. The cap keeps the parameter count from exploding at
 * the coarse levels, which on a 32 x 32 field hold only a handful of pixels.
 *
 * @param width channels of the finest level, {@code >= 1}
 * @param levels pooling steps; the input side must be divisible by {@code 2^levels}. The default 5
 *     pools a 32 x 32 field down to 1 x 1 (32 / 2^5 = 1). Between 1 and {@value #MAX_LEVELS}.
 * @param dropout probability, in [0, 1), of dropping a whole channel after every 3x3 convolution;
 *     0 gives a deterministic network
 */
public record UNetConfig(int width, int levels, double dropout) implements NetworkConfig {
    /** Upper bound on {@code levels}, so that {@code 2^levels} is an {@code int}. */
    public static final int MAX_LEVELS = 30;
    /** Levels over which the channel count doubles before reaching its cap of {@code 8 * width}. */
    static final int DOUBLINGS = 3;

    /** Width 16, five levels (32 x 32 down to 1 x 1), dropout 0.1. */
    public static UNetConfig defaults() {
        return new UNetConfig(16, 5, 0.1);
    }

    public UNetConfig {
        if (width < 1) {
            throw new InvalidInputException("invalid U-Net width " + width + ": need width >= 1");
        }
        if (levels < 1 || levels > MAX_LEVELS) {
            throw new InvalidInputException("invalid U-Net levels " + levels + ": need 1 <= levels <= " + MAX_LEVELS);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new InvalidInputException("invalid U-Net dropout " + dropout + ": need a probability in [0, 1)");
        }
    }

    /** Channels at level {@code level} (0 = full resolution, {@code levels} = bottleneck). */
    public int channels(int level) {
        if (level < 0 || level > levels) {
            throw new IllegalArgumentException("level " + level + " outside 0.." + levels);
        }
        return Math.multiplyExact(width, 1 << Math.min(level, DOUBLINGS));
    }

    /** The factor by which the input side must be divisible: {@code 2^levels}. */
    public int sizeMultiple() {
        return 1 << levels;
    }

    /**
     * Multiply-adds times two of one forward evaluation on one N x N field (convolutions only;
     * activations, dropout, pooling and upsampling are negligible).
     *
     * @throws IllegalArgumentException if {@code n} is not a positive multiple of {@code 2^levels}
     */
    public long flopsPerSample(int n, int inChannels) {
        if (n < 1 || n % sizeMultiple() != 0) {
            throw new IllegalArgumentException("N = " + n + " is not a positive multiple of 2^levels = "
                    + sizeMultiple() + " (levels = " + levels + ")");
        }
        long total = 0;
        long cin = inChannels;
        for (int l = 0; l <= levels; l++) { // encoder levels, then the bottleneck
            long pixels = (long) (n >> l) * (n >> l);
            long c = channels(l);
            total += conv3x3Flops(cin, c, pixels) + conv3x3Flops(c, c, pixels);
            cin = c;
        }
        for (int l = levels - 1; l >= 0; l--) { // decoder: upsampled input concatenated with the skip
            long pixels = (long) (n >> l) * (n >> l);
            long c = channels(l);
            total += conv3x3Flops(channels(l + 1) + c, c, pixels) + conv3x3Flops(c, c, pixels);
        }
        return total + 2L * channels(0) * n * n; // the 1x1 output projection to one channel
    }

    private static long conv3x3Flops(long in, long out, long pixels) {
        return 2L * 9 * in * out * pixels;
    }

    @Override
    public String architecture() {
        return "unet";
    }

    @JsonCreator
    static UNetConfig fromJson(
            @JsonProperty("width") Number width,
            @JsonProperty("levels") Number levels,
            @JsonProperty("dropout") Number dropout) {
        return new UNetConfig(
                ConfigValues.whole(width, "width"),
                ConfigValues.whole(levels, "levels"),
                ConfigValues.number(dropout, "dropout"));
    }

    @Override
    public String toString() {
        return "unet: width " + width + ", levels " + levels + ", dropout " + dropout + " (channels " + channels(0)
                + ".." + channels(levels) + ", leaky-relu)";
    }

    @Override
    public ai.djl.nn.Block build(int inChannels) {
        return new UNet(this, inChannels);
    }
}
