package dev.smdp4j.nn;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.smdp4j.io.InvalidInputException;

/**
 * Architecture of {@link Fno2d}, the two-dimensional Fourier neural operator baseline (Li et al.
 * 2021, "Fourier Neural Operator for Parametric Partial Differential Equations", network "FNO-2d").
 *
 * <p>The defaults (12 modes, width 20, 4 Fourier layers, a 128-channel projection) are those of the
 * paper's 2-D experiments. A network with {@code modes} retained modes per axis runs on any
 * {@code N x N} grid with {@code N >= 2 * modes} ({@link #minimumGrid()}).
 *
 * @param modes Fourier modes kept per axis in every spectral convolution ({@code >= 1}): wavenumbers
 *     {@code -modes .. modes - 1} along the rows and {@code 0 .. modes - 1} along the columns
 * @param width channels of the hidden Fourier layers ({@code >= 1})
 * @param layers Fourier layers ({@code >= 1})
 * @param projection hidden channels of the two-layer pointwise output projection ({@code >= 1})
 */
public record FnoConfig(int modes, int width, int layers, int projection) implements NetworkConfig {

    /** The configuration of Li et al.'s 2-D experiments: 12 modes, width 20, 4 layers, projection 128. */
    public static FnoConfig defaults() {
        return new FnoConfig(12, 20, 4, 128);
    }

    public FnoConfig {
        if (modes < 1 || width < 1 || layers < 1 || projection < 1) {
            throw new InvalidInputException("invalid FNO: modes " + modes + ", width " + width + ", layers " + layers
                    + ", projection " + projection + " (need modes, width, layers and projection >= 1)");
        }
        if (modes > Integer.MAX_VALUE / 2) {
            throw new InvalidInputException("invalid FNO: modes " + modes + " is too large (the grid needs 2 * modes)");
        }
    }

    /** The smallest grid side on which the network runs: {@code 2 * modes}. */
    public int minimumGrid() {
        return 2 * modes;
    }

    /** A new, uninitialised {@link Fno2d} of this architecture with {@code inChannels} input channels. */
    public Fno2d build(int inChannels) {
        return new Fno2d(this, inChannels);
    }

    /**
     * Floating-point operations (multiply-adds counted as two) of one forward evaluation on one
     * {@code n x n} field with {@code inChannels} input channels (the two grid channels are added
     * here). Counted: the pointwise (1x1) convolutions of the lifting, the Fourier layers and the
     * projection; the per-mode complex channel mixing, {@code 8 * width^2} real operations on each of
     * the {@code 2 * modes^2} kept modes (four real products and four real additions per complex
     * multiply-add); and the FFTs, estimated as {@code 2.5 * N^2 * log2(N^2)} operations per channel
     * for a real 2-D transform (half the classic {@code 5 M log2 M} of a complex transform of
     * {@code M = N^2} points), one forward and one inverse transform of {@code width} channels per
     * layer. Biases, activations, the zero-filling of the spectrum and the grid channels are neglected.
     *
     * @throws IllegalArgumentException if {@code n < 2 * modes} or {@code inChannels < 1}
     */
    public long flopsPerSample(int n, int inChannels) {
        if (n < minimumGrid() || inChannels < 1) {
            throw new IllegalArgumentException("need N >= 2 * modes = " + minimumGrid() + " and at least one input "
                    + "channel; got N = " + n + ", " + inChannels + " channels");
        }
        long pixels = (long) n * n;
        long w = width;
        long perPixel = 2L * (inChannels + Fno2d.GRID_CHANNELS) * w // lifting
                + layers * 2L * w * w // pointwise path of each Fourier layer
                + 2L * w * projection
                + 2L * projection; // projection
        long spectral = layers * 8L * w * w * (2L * modes * modes);
        double fftPerChannel = 2.5 * pixels * (Math.log((double) pixels) / Math.log(2));
        long fft = Math.round(layers * 2.0 * w * fftPerChannel);
        return perPixel * pixels + spectral + fft;
    }

    @Override
    public String architecture() {
        return "fno";
    }

    @JsonCreator
    static FnoConfig fromJson(
            @JsonProperty("modes") Number modes,
            @JsonProperty("width") Number width,
            @JsonProperty("layers") Number layers,
            @JsonProperty("projection") Number projection) {
        return new FnoConfig(
                ConfigValues.whole(modes, "modes"),
                ConfigValues.whole(width, "width"),
                ConfigValues.whole(layers, "layers"),
                ConfigValues.whole(projection, "projection"));
    }

    @Override
    public String toString() {
        return "fno: modes " + modes + ", width " + width + ", layers " + layers + ", projection " + projection
                + " (gelu)";
    }
}
