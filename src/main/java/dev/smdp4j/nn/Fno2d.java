package dev.smdp4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.smdp4j.util.Scalars;
import java.util.ArrayList;
import java.util.List;

/**
 * A two-dimensional Fourier neural operator, the "FNO-2d" of Li et al. 2021 ("Fourier Neural
 * Operator for Parametric Partial Differential Equations"), used as a baseline network: it maps an
 * observation field to a correction (the caller adds the observation).
 *
 * <p>Input {@code [B, C_in, N, N]} on the periodic grid, output {@code [B, 1, N, N]}:
 * <ol>
 *   <li>two grid channels are appended, the cell positions {@code i / N} along the rows (varying
 *       along the second-to-last axis) and {@code j / N} along the columns (last axis), in [0, 1);
 *   <li>lifting: a pointwise (1x1) convolution to {@code width} channels;
 *   <li>{@code layers} Fourier layers {@code h <- act(K(h) + W(h))}, with {@code K} a
 *       {@link SpectralConv2d} keeping {@code modes} modes per axis and {@code W} a pointwise
 *       convolution with bias; {@code act} is GELU, and, as in Li et al., the last layer has none;
 *   <li>projection: a pointwise convolution to {@code projection} channels, GELU, and a pointwise
 *       convolution to one channel.
 * </ol>
 * Every pointwise convolution is a {@link CircularConv} with a 1x1 kernel (which works around
 * libtorch's unreliable convolution backward for few output channels). The convolutions keep DJL's
 * default initialisation; the spectral weights follow Li et al.
 *
 * <p>All parameters are independent of the grid: the same network runs at any {@code N >= 2 * modes},
 * e.g. trained at 32 x 32 and evaluated at 64 x 64.
 */
public final class Fno2d extends FieldBlock {
    /** Coordinate channels appended to the input. */
    static final int GRID_CHANNELS = 2;

    private final FnoConfig config;
    private final CircularConv lift;
    private final List<SpectralConv2d> spectral = new ArrayList<>();
    private final List<CircularConv> pointwise = new ArrayList<>();
    private final CircularConv projectHidden;
    private final CircularConv projectOut;

    /**
     * @param config the architecture
     * @param inChannels channels of the input field(s), {@code >= 1} (without the grid channels)
     */
    public Fno2d(FnoConfig config, int inChannels) {
        super(inChannels);
        this.config = config;
        this.lift = addChildBlock("lift", new CircularConv(config.width(), 1, 1));
        for (int l = 0; l < config.layers(); l++) {
            spectral.add(addChildBlock(
                    "layer" + l + "_spectral", new SpectralConv2d(config.width(), config.width(), config.modes())));
            pointwise.add(addChildBlock("layer" + l + "_pointwise", new CircularConv(config.width(), 1, 1)));
        }
        this.projectHidden = addChildBlock("project_hidden", new CircularConv(config.projection(), 1, 1));
        this.projectOut = addChildBlock("project_out", new CircularConv(1, 1, 1));
    }

    public FnoConfig config() {
        return config;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        Shape s = x.getShape();
        if (s.dimension() != 4 || s.get(1) != inChannels() || s.get(2) != s.get(3)) {
            throw new IllegalArgumentException("FNO expects [B, " + inChannels() + ", N, N], got " + s);
        }
        NDArray h = lift.forward(store, new NDList(withGrid(x)), training).singletonOrThrow();
        for (int l = 0; l < spectral.size(); l++) {
            NDList in = new NDList(h);
            NDArray k = spectral.get(l).forward(store, in, training).singletonOrThrow();
            NDArray w = pointwise.get(l).forward(store, in, training).singletonOrThrow();
            h = k.add(w);
            if (l < spectral.size() - 1) {
                h = Activation.gelu(h);
            }
        }
        h = Activation.gelu(
                projectHidden.forward(store, new NDList(h), training).singletonOrThrow());
        return projectOut.forward(store, new NDList(h), training);
    }

    /** {@code x} with the row and column coordinate channels {@code i / N}, {@code j / N} appended. */
    private static NDArray withGrid(NDArray x) {
        Shape s = x.getShape();
        long batch = s.get(0);
        int n = (int) s.get(2);
        NDManager m = x.getManager();
        Shape one = new Shape(batch, 1, n, n);
        NDArray coordinate = Scalars.div(m.arange(0f, n, 1f, x.getDataType(), x.getDevice()), n);
        NDArray rows = coordinate.reshape(1, 1, n, 1).broadcast(one);
        NDArray cols = coordinate.reshape(1, 1, 1, n).broadcast(one);
        return NDArrays.concat(new NDList(x, rows, cols), 1);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        long batch = in.get(0);
        long n = in.get(2);
        Shape hidden = new Shape(batch, config.width(), n, in.get(3));
        lift.initialize(manager, dataType, new Shape(batch, inChannels() + GRID_CHANNELS, n, in.get(3)));
        for (int l = 0; l < spectral.size(); l++) {
            spectral.get(l).initialize(manager, dataType, hidden);
            pointwise.get(l).initialize(manager, dataType, hidden);
        }
        projectHidden.initialize(manager, dataType, hidden);
        projectOut.initialize(manager, dataType, new Shape(batch, config.projection(), n, in.get(3)));
    }
}
