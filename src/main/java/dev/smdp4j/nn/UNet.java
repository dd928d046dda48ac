package dev.smdp4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.smdp4j.util.EngineArrays;
import dev.smdp4j.util.GaussianNoise;
import java.util.ArrayList;
import java.util.List;

/**
 * The U-Net of the SMDP paper's "BNN" baseline: a Bayesian neural network by Monte-Carlo dropout
 * that maps an observation field {@code y} to a correction (the caller adds {@code y}).
 *
 * <h2>Architecture</h2>
 * Input {@code [B, inChannels, N, N]} with {@code N} divisible by {@code 2^levels}; output
 * {@code [B, 1, N, N]}. With {@code c_l = }{@link UNetConfig#channels(int) channels(l)}:
 * <ul>
 *   <li>Encoder, for each level {@code l = 0 .. levels-1} at resolution {@code N / 2^l}: two 3x3
 *       periodic convolutions to {@code c_l} channels, each followed by the activation and spatial
 *       dropout; the result is kept as the level's skip connection; then 2x2 average pooling.</li>
 *   <li>Bottleneck at resolution {@code N / 2^levels} (1 x 1 for the default on a 32 x 32 field):
 *       the same two convolutions to {@code c_levels} channels. On a 1 x 1 field the circularly
 *       padded 3x3 kernel sees the one pixel nine times, so it acts as a 1x1 convolution whose
 *       weight is the sum of the taps.</li>
 *   <li>Decoder, for each level {@code l = levels-1 .. 0}: nearest-neighbour 2x upsampling,
 *       concatenation (along channels, upsampled features first) with the skip connection of
 *       level {@code l}, then two 3x3 convolutions to {@code c_l} channels with activation and
 *       dropout.</li>
 *   <li>A final 1x1 convolution to one channel, without activation or dropout. It keeps the
 *       default (random) initialisation, unlike {@link ScoreNet}'s zero-initialised projection, so
 *       that the network's output and its dropout spread are non-trivial from the start.</li>
 * </ul>
 * All convolutions pad circularly ({@link CircularConv}): the benchmark's domain is a torus. The
 * activation is leaky ReLU with slope 0.01, as {@link ScoreNet}'s default: cheaper than GELU, and
 * it never blocks the gradient entirely.
 *
 * <h2>Why a "BNN"</h2>
 * The dropout is spatial (channel-wise, "Dropout2d"): for each (batch item, channel) the whole
 * feature map is kept with probability {@code 1 - p} and scaled by {@code 1 / (1 - p)}, or zeroed.
 * It is active at training <em>and</em> at inference time, whatever DJL's {@code training} flag says:
 * each forward pass evaluates a network drawn from the approximate posterior over weights that
 * dropout training defines (Gal and Ghahramani, 2016), so repeated passes on the same input are
 * posterior samples, and their spread is the model's uncertainty.
 *
 * <h2>Reproducibility</h2>
 * The dropout masks do not use the engine's global random state: they are drawn on the host from
 * the {@link GaussianNoise} set with {@link #setDropoutNoise}, {@code B * C} uniform numbers per
 * dropout layer, in a fixed order (encoder, bottleneck, decoder), and created in the input's
 * manager. The same seed therefore gives the same outputs on every machine and thread count. A
 * forward pass with {@code dropout > 0} and no noise source fails; with {@code dropout == 0} the
 * network is deterministic and needs none. The noise source is mutable state: one UNet must not
 * run forward passes on several threads at once.
 */
public final class UNet extends FieldBlock {
    /** Negative slope of the leaky ReLU. */
    static final float SLOPE = 0.01f;

    private final UNetConfig config;
    private final List<CircularConv[]> encoder = new ArrayList<>();
    private final CircularConv[] bottleneck;
    /** Indexed by level: {@code decoder.get(l)} runs at resolution {@code N / 2^l}. */
    private final List<CircularConv[]> decoder = new ArrayList<>();

    private final CircularConv output;
    private GaussianNoise dropoutNoise;

    /**
     * @param config the architecture
     * @param inChannels channels of the input (1 for the observation field alone)
     */
    public UNet(UNetConfig config, int inChannels) {
        super(inChannels);
        this.config = config;
        int levels = config.levels();
        for (int l = 0; l < levels; l++) {
            encoder.add(pair("enc" + l, config.channels(l)));
        }
        bottleneck = pair("bottleneck", config.channels(levels));
        for (int l = 0; l < levels; l++) {
            decoder.add(null);
        }
        for (int l = levels - 1; l >= 0; l--) { // registered in execution order
            decoder.set(l, pair("dec" + l, config.channels(l)));
        }
        output = addChildBlock("output", new CircularConv(1, 1, 1));
    }

    private CircularConv[] pair(String name, int filters) {
        return new CircularConv[] {
            addChildBlock(name + "_conv0", new CircularConv(filters, 3, 1)),
            addChildBlock(name + "_conv1", new CircularConv(filters, 3, 1))
        };
    }

    public UNetConfig config() {
        return config;
    }

    /**
     * Sets the source of the dropout masks; each forward pass then consumes its draws, so that
     * successive passes are different posterior samples and re-setting a source with the same seed
     * repeats them. Not needed when {@code dropout == 0}.
     */
    public void setDropoutNoise(GaussianNoise noise) {
        this.dropoutNoise = noise;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        checkInput(x.getShape());
        if (config.dropout() > 0) {
            requireNoise();
        }
        List<NDArray> skips = new ArrayList<>(config.levels());
        NDArray h = x;
        for (CircularConv[] stage : encoder) {
            h = stage(store, stage, h, training);
            skips.add(h);
            h = downsample(h);
        }
        h = stage(store, bottleneck, h, training);
        for (int l = config.levels() - 1; l >= 0; l--) {
            h = NDArrays.concat(new NDList(upsample(h), skips.get(l)), 1);
            h = stage(store, decoder.get(l), h, training);
        }
        return output.forward(store, new NDList(h), training);
    }

    /** Convolution, activation, dropout, for each convolution of the stage. */
    private NDArray stage(ParameterStore store, CircularConv[] convs, NDArray h, boolean training) {
        for (CircularConv conv : convs) {
            NDArray z = conv.forward(store, new NDList(h), training).singletonOrThrow();
            h = spatialDropout(Activation.leakyRelu(z, SLOPE));
        }
        return h;
    }

    /**
     * Channel-wise dropout of a {@code [B, C, H, W]} tensor with this network's rate: each
     * {@code (b, c)} plane is zeroed with probability {@code p} and otherwise scaled by
     * {@code 1 / (1 - p)}. Consumes {@code B * C} uniform draws; the identity when {@code p == 0}.
     *
     * @throws IllegalStateException if {@code p > 0} and no noise source was set
     */
    NDArray spatialDropout(NDArray x) {
        double p = config.dropout();
        if (p == 0) {
            return x;
        }
        GaussianNoise noise = requireNoise();
        Shape s = x.getShape();
        if (s.dimension() != 4) {
            throw new IllegalArgumentException("spatial dropout needs [B, C, H, W], got " + s);
        }
        int planes = Math.toIntExact(s.get(0) * s.get(1));
        float scale = (float) (1 / (1 - p));
        float[] mask = new float[planes];
        for (int i = 0; i < planes; i++) {
            mask[i] = noise.nextUniform() < p ? 0f : scale;
        }
        NDArray m = EngineArrays.of(x.getManager(), mask, new Shape(s.get(0), s.get(1), 1, 1));
        if (m.getDataType() != x.getDataType()) {
            m = m.toType(x.getDataType(), false);
        }
        return x.mul(m);
    }

    private GaussianNoise requireNoise() {
        if (dropoutNoise == null) {
            throw new IllegalStateException("UNet dropout is " + config.dropout()
                    + " but no dropout noise source was set; call setDropoutNoise(new GaussianNoise(seed)) first");
        }
        return dropoutNoise;
    }

    /** 2x2 average pooling with stride 2 of the last two axes of {@code [B, C, H, W]}. */
    static NDArray downsample(NDArray x) {
        return Pool.avgPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false, true);
    }

    /** Nearest-neighbour 2x upsampling of the last two axes: each pixel becomes a 2x2 block. */
    static NDArray upsample(NDArray x) {
        return x.repeat(2, 2).repeat(3, 2);
    }

    private void checkInput(Shape in) {
        if (in.dimension() != 4 || in.get(1) != inChannels()) {
            throw new IllegalArgumentException("UNet input must be [B, " + inChannels() + ", N, N], got " + in);
        }
        int multiple = config.sizeMultiple();
        for (int axis = 2; axis < 4; axis++) {
            long n = in.get(axis);
            if (n < 1 || n % multiple != 0) {
                throw new IllegalArgumentException(
                        "UNet input " + in + ": N = " + n + " is not a positive multiple of 2^levels = " + multiple
                                + " (levels = " + config.levels() + ")");
            }
        }
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        checkInput(in);
        long batch = in.get(0);
        long rows = in.get(2);
        long cols = in.get(3);
        long cin = inChannels();
        for (int l = 0; l <= config.levels(); l++) {
            CircularConv[] stage = l < config.levels() ? encoder.get(l) : bottleneck;
            long c = config.channels(l);
            stage[0].initialize(manager, dataType, new Shape(batch, cin, rows >> l, cols >> l));
            stage[1].initialize(manager, dataType, new Shape(batch, c, rows >> l, cols >> l));
            cin = c;
        }
        for (int l = config.levels() - 1; l >= 0; l--) {
            long c = config.channels(l);
            CircularConv[] stage = decoder.get(l);
            stage[0].initialize(manager, dataType, new Shape(batch, config.channels(l + 1) + c, rows >> l, cols >> l));
            stage[1].initialize(manager, dataType, new Shape(batch, c, rows >> l, cols >> l));
        }
        output.initialize(manager, dataType, new Shape(batch, config.channels(0), rows, cols));
    }
}
