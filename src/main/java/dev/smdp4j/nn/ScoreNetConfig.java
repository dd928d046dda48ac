package dev.smdp4j.nn;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.smdp4j.io.InvalidInputException;
import java.util.Arrays;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * Architecture of {@link ScoreNet}: channel width, number of residual blocks, kernel size, the
 * cycle of dilations the block convolutions step through, and the activation.
 *
 * @param width channels of the hidden layers
 * @param blocks residual blocks (two convolutions each)
 * @param kernel odd kernel size
 * @param dilations dilations assigned to the block convolutions in turn, cycling
 * @param activation {@code leaky-relu} (slope 0.01, as the reference) or {@code gelu}
 * @param spectralModes modes per axis of a learned per-mode linear branch from the last hidden
 *     layer to the output ({@link SpectralConv2d}, initialised to zero), or 0 for none (the plain
 *     network, {@link #defaults()}; SMDP's default has 4, {@link #smdpDefaults()}): it removes most of
 *     the ODE's low-mode error (docs/HISTORY.md, "Where the ODE gap lives", "The spectral branch")
 * @param spectralFieldPowers powers {@code j} of the time channel {@code tau = t / T} whose products
 *     with the input field, {@code tau^j x}, are fed to the spectral branch beside the hidden layer, so
 *     that the branch can represent a per-mode linear map of x whose coefficients vary smoothly in t
 *     (the form of the exact one-step map on this linear-Gaussian benchmark; the spatial mean needs
 *     {@code j = -1}, its exact coefficient being proportional to {@code 1 / t}); empty for none (the
 *     default). Needs {@code spectralModes > 0}.
 * @param spectralExclusive whether the branch alone produces the modes it keeps: the convolutional
 *     projection's output is high-passed (its content on the branch's modes removed), so that on the
 *     lowest modes the output is a per-mode linear function of the branch's inputs. Needs
 *     {@code spectralModes > 0}.
 */
public record ScoreNetConfig(
        int width,
        int blocks,
        int kernel,
        int[] dilations,
        String activation,
        @JsonProperty("spectral_modes") int spectralModes,
        @JsonProperty("spectral_field_powers") int[] spectralFieldPowers,
        @JsonProperty("spectral_exclusive") boolean spectralExclusive)
        implements NetworkConfig {

    /** Without the spectral branch. */
    public ScoreNetConfig(int width, int blocks, int kernel, int[] dilations, String activation) {
        this(width, blocks, kernel, dilations, activation, 0, new int[0], false);
    }

    /** With a spectral branch on the last hidden layer only. */
    public ScoreNetConfig(int width, int blocks, int kernel, int[] dilations, String activation, int spectralModes) {
        this(width, blocks, kernel, dilations, activation, spectralModes, new int[0], false);
    }

    /** With a spectral branch fed by the last hidden layer and the given field terms. */
    public ScoreNetConfig(
            int width,
            int blocks,
            int kernel,
            int[] dilations,
            String activation,
            int spectralModes,
            int[] spectralFieldPowers) {
        this(width, blocks, kernel, dilations, activation, spectralModes, spectralFieldPowers, false);
    }

    /**
     * SMDP's default: {@link #defaults()} plus the exclusive spectral branch on 4 modes with field terms
     * {@code x / tau, x, tau x, tau^2 x}, chosen by measurement (docs/HISTORY.md, "The spectral branch").
     */
    public static ScoreNetConfig smdpDefaults() {
        ScoreNetConfig d = defaults();
        return new ScoreNetConfig(
                d.width, d.blocks, d.kernel, d.dilations, d.activation, 4, new int[] {-1, 0, 1, 2}, true);
    }

    /** The default size, chosen by measurement (docs/HISTORY.md); the plain network of the baselines. */
    public static ScoreNetConfig defaults() {
        return new ScoreNetConfig(32, 4, 3, new int[] {1, 2, 4, 8}, "leaky-relu");
    }

    public ScoreNetConfig {
        if (width < 1
                || blocks < 0
                || kernel < 1
                || kernel % 2 == 0
                || dilations.length == 0
                || Arrays.stream(dilations).anyMatch(d -> d < 1)) {
            throw new InvalidInputException("invalid network: width " + width + ", blocks " + blocks + ", kernel "
                    + kernel + ", dilations " + Arrays.toString(dilations) + " (need width >= 1, blocks >= 0, "
                    + "odd kernel, dilations >= 1)");
        }
        if (spectralModes < 0) {
            throw new InvalidInputException("--spectral-modes must be >= 0, got " + spectralModes);
        }
        if (spectralExclusive && spectralModes == 0) {
            throw new InvalidInputException("--spectral-exclusive needs --spectral-modes > 0");
        }
        if (spectralFieldPowers.length > 0 && spectralModes == 0) {
            throw new InvalidInputException(
                    "--spectral-field-powers " + Arrays.toString(spectralFieldPowers) + " needs --spectral-modes > 0");
        }
        if (Arrays.stream(spectralFieldPowers).distinct().count() < spectralFieldPowers.length
                || Arrays.stream(spectralFieldPowers).anyMatch(j -> Math.abs(j) > 4)) {
            throw new InvalidInputException("--spectral-field-powers must be distinct integers in [-4, 4], got "
                    + Arrays.toString(spectralFieldPowers));
        }
        spectralFieldPowers = spectralFieldPowers.clone();
        if (!activation.equals("leaky-relu") && !activation.equals("gelu")) {
            throw new InvalidInputException("unknown activation '" + activation + "'; valid: leaky-relu, gelu");
        }
        dilations = dilations.clone();
    }

    /** Dilation of the {@code j}-th block convolution (0-based over all blocks). */
    public int dilation(int j) {
        return dilations[j % dilations.length];
    }

    @Override
    public ai.djl.nn.Block build(int inChannels) {
        return new ScoreNet(this, inChannels);
    }

    /** Multiply-adds times two of one evaluation on one N x N field (forward only). */
    @Override
    public long flopsPerSample(int n, int inChannels) {
        long k2 = (long) kernel * kernel;
        long perPixel = 2 * k2 * inChannels * width + blocks * 2L * (2 * k2 * width * width) + 2 * k2 * width;
        return perPixel * n * n;
    }

    /** Receptive field in cells along one axis. */
    public int receptiveField() {
        int rf = kernel; // lift
        for (int j = 0; j < 2 * blocks; j++) {
            rf += (kernel - 1) * dilation(j);
        }
        return rf + kernel - 1; // projection
    }

    /**
     * The JSON form's reader. The spectral fields may be absent (written before the branch existed:
     * no branch), and {@code spectral_field_terms: P}, the first form of the field powers, means
     * powers {@code 0 .. P-1}.
     */
    @Override
    public String architecture() {
        return "score-net";
    }

    @JsonCreator
    static ScoreNetConfig fromJson(
            @JsonProperty("width") Number width,
            @JsonProperty("blocks") Number blocks,
            @JsonProperty("kernel") Number kernel,
            @JsonProperty("dilations") int[] dilations,
            @JsonProperty("activation") String activation,
            @JsonProperty("spectral_modes") Number spectralModes,
            @JsonProperty("spectral_field_powers") int[] powers,
            @JsonProperty("spectral_field_terms") Number terms,
            @JsonProperty("spectral_exclusive") Boolean exclusive) {
        if (dilations == null || activation == null) {
            throw new IllegalArgumentException("'dilations' and 'activation' must be given");
        }
        int[] fieldPowers = terms != null
                ? IntStream.range(0, ConfigValues.whole(terms, "spectral_field_terms"))
                        .toArray()
                : powers != null ? powers : new int[0];
        return new ScoreNetConfig(
                ConfigValues.whole(width, "width"),
                ConfigValues.whole(blocks, "blocks"),
                ConfigValues.whole(kernel, "kernel"),
                dilations,
                activation,
                ConfigValues.whole(spectralModes, "spectral_modes", 0),
                fieldPowers,
                Boolean.TRUE.equals(exclusive));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScoreNetConfig c
                && c.width == width
                && c.blocks == blocks
                && c.kernel == kernel
                && Arrays.equals(c.dilations, dilations)
                && c.activation.equals(activation)
                && c.spectralModes == spectralModes
                && Arrays.equals(c.spectralFieldPowers, spectralFieldPowers)
                && c.spectralExclusive == spectralExclusive;
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                width,
                blocks,
                kernel,
                Arrays.hashCode(dilations),
                activation,
                spectralModes,
                Arrays.hashCode(spectralFieldPowers),
                spectralExclusive);
    }

    @Override
    public String toString() {
        return "width " + width + ", blocks " + blocks + ", kernel " + kernel + ", dilations "
                + Arrays.toString(dilations) + ", " + activation
                + (spectralModes > 0 ? ", spectral branch on " + spectralModes + " modes" : "")
                + (spectralFieldPowers.length > 0
                        ? " with field terms (t/T)^j x, j = " + Arrays.toString(spectralFieldPowers)
                        : "")
                + (spectralExclusive ? ", the branch alone on its modes" : "");
    }
}
