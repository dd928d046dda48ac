package dev.smdp4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * A one-step physics surrogate {@code P_d(x)} (see {@link SurrogateNetConfig}): a bank of
 * {@code filters} learned periodic convolutions of the field over the whole torus, each given by
 * its complex Fourier coefficients on every mode of the real FFT's half spectrum (Nyquist row and
 * column included), mixed by coefficients {@code s * mlp(s)} of the relative span
 * {@code s = d / d_ref}:
 * <pre>  P_d(x) = IFFT2[ sum_j s c_j(s) W_j(k) FFT2(x)(k) ]</pre>
 * Linear in the field (as the physics it learns for linear PDEs), periodic, smooth in the span,
 * and {@code P_0 = 0} by construction. Per-mode weights rather than the taps of a small spatial
 * kernel: the exact heat step is not local on the grid, and least squares on taps is badly
 * conditioned under the smooth fields' spectrum (measured in docs/RESULTS.md, "Learned physics");
 * on per-mode weights Adam's per-parameter scaling equalises the modes. The mixing starts at zero,
 * so training starts from {@code P = 0}.
 *
 * <p>Inputs: the field {@code [B, 1, N, N]} and the span {@code [1, 1]}; output {@code [B, 1, N, N]}.
 * The complex weights are stored as real arrays {@code weight_real}/{@code weight_imag}
 * {@code [filters, N, N/2 + 1]}; the complex product is computed in real arithmetic (as in
 * {@link SpectralConv2d}: {@code toType(COMPLEX64)} would detach the graph).
 */
public final class SurrogateNet extends AbstractBlock {
    private final SurrogateNetConfig config;
    private final Linear hidden;
    private final Linear mixing;
    private final Parameter weightReal;
    private final Parameter weightImag;

    public SurrogateNet(SurrogateNetConfig config) {
        this.config = config;
        this.hidden = addChildBlock("span_hidden", Linear.builder().setUnits(config.hidden()).build());
        this.mixing = addChildBlock("span_mixing", Linear.builder().setUnits(config.filters()).build());
        mixing.setInitializer(Initializer.ZEROS, Parameter.Type.WEIGHT);
        Initializer init = (m, s, t) -> m.randomUniform(0f, 1f / config.filters(), s, t);
        this.weightReal = addParameter(Parameter.builder().setName("weight_real").setType(Parameter.Type.WEIGHT)
                .optInitializer(init).build());
        this.weightImag = addParameter(Parameter.builder().setName("weight_imag").setType(Parameter.Type.WEIGHT)
                .optInitializer(init).build());
    }

    public SurrogateNetConfig config() {
        return config;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray span = inputs.get(1);
        int n = (int) x.getShape().get(3);
        NDArray h = Activation.tanh(hidden.forward(store, new NDList(span), training).singletonOrThrow());
        NDArray c = mixing.forward(store, new NDList(h), training).singletonOrThrow().mul(span).reshape(-1, 1, 1);
        // the mixed multiplier sum_j c_j W_j, [N, N/2 + 1] real and imaginary parts
        NDArray mr = store.getValue(weightReal, x.getDevice(), training).mul(c).sum(new int[] {0});
        NDArray mi = store.getValue(weightImag, x.getDevice(), training).mul(c).sum(new int[] {0});
        NDArray parts = x.rfft(n, -1).fft(n, -2).real(); // [B, 1, N, N/2 + 1, 2], differentiable
        NDArray ar = parts.get(new NDIndex("..., 0"));
        NDArray ai = parts.get(new NDIndex("..., 1"));
        NDArray re = ar.mul(mr).sub(ai.mul(mi));
        NDArray im = ar.mul(mi).add(ai.mul(mr));
        NDArray unit = x.getManager().create(new float[] {0f, 1f}).complex(); // i, a constant
        // The trailing mul(1) hands irfft's backward a dense gradient (it fails on a strided one).
        return new NDList(im.mul(unit).add(re).ifft(n, -2).irfft(n, -1).mul(1f));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), 1, in.get(2), in.get(3))};
    }

    /** The per-mode weights take their shape {@code [filters, N, N/2 + 1]} from the grid. */
    @Override
    protected void prepare(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        if (in.dimension() != 4 || in.get(1) != 1 || in.get(2) != in.get(3)) {
            throw new IllegalArgumentException("the surrogate network expects fields [B, 1, N, N], got " + in);
        }
        Shape shape = new Shape(config.filters(), in.get(2), in.get(2) / 2 + 1);
        weightReal.setShape(shape);
        weightImag.setShape(shape);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        hidden.initialize(manager, dataType, new Shape(1, 1));
        mixing.initialize(manager, dataType, new Shape(1, config.hidden()));
    }
}
