package dev.smdp4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import dev.smdp4j.util.Scalars;

/**
 * A one-step physics surrogate {@code P_d(x)} (see {@link SurrogateNetConfig}): a learned linear,
 * translation-invariant evolution on the periodic grid, given by a complex generator {@code G(k)}
 * on every mode of the real FFT's half spectrum (Nyquist row and column included):
 * <pre>  P_d(x) = IFFT2[ (exp(s G(k)) - 1) FFT2(x)(k) ],   s = d / d_ref</pre>
 * This is the exact form of the step of any linear constant-coefficient PDE on the torus (diffusion,
 * advection, dispersion, damping: {@code G} real negative, imaginary, ...), for every span at once:
 * the span enters through the semigroup {@code exp(s G)}, so {@code P_0 = 0} and
 * {@code P_{a+b} = P_a + P_b + P_b P_a} hold by construction, and a span outside the trained range
 * is no extrapolation. The receptive field is the whole torus (the exact heat step is not local on
 * the grid), and the periodic FFT plays the role of circular padding. Per-mode parameters also make
 * training well conditioned: measured in docs/HISTORY.md ("Learned physics"), a 7 x 7 convolution
 * trained by Adam stalled at 66% one-step error, while its least-squares optimum is 0.9%.
 *
 * <p>Inputs: the field {@code [B, 1, N, N]} and the span {@code s} as {@code [1, 1]}; output
 * {@code [B, 1, N, N]}. Parameters {@code generator_real}/{@code generator_imag}
 * {@code [N, N/2 + 1]}, in units of {@code 1/d_ref}, initialised to zero (training starts from
 * {@code P = 0}). The complex product is computed in real arithmetic ({@code toType(COMPLEX64)}
 * would detach the graph), as in {@link SpectralConv2d}.
 */
public final class SurrogateNet extends AbstractBlock {
    private final SurrogateNetConfig config;
    private final Parameter generatorReal;
    private final Parameter generatorImag;

    public SurrogateNet(SurrogateNetConfig config) {
        this.config = config;
        this.generatorReal = addParameter(Parameter.builder()
                .setName("generator_real")
                .setType(Parameter.Type.WEIGHT)
                .optInitializer(Initializer.ZEROS)
                .build());
        this.generatorImag = addParameter(Parameter.builder()
                .setName("generator_imag")
                .setType(Parameter.Type.WEIGHT)
                .optInitializer(Initializer.ZEROS)
                .build());
    }

    public SurrogateNetConfig config() {
        return config;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray span = inputs.get(1).reshape(1, 1);
        int n = (int) x.getShape().get(3);
        // The parameters are never the left operand: a DJL result lives in its left operand's
        // manager, which must be the input's (the step's scope), not the model's.
        NDArray gr = span.mul(store.getValue(generatorReal, x.getDevice(), training));
        NDArray gi = span.mul(store.getValue(generatorImag, x.getDevice(), training));
        NDArray growth = gr.exp();
        NDArray mr = Scalars.sub(growth.mul(gi.cos()), 1); // Re(exp(s G) - 1)
        NDArray mi = growth.mul(gi.sin()); // Im(exp(s G) - 1)
        NDArray parts = x.rfft(n, -1).fft(n, -2).real(); // [B, 1, N, N/2 + 1, 2], differentiable
        NDArray ar = parts.get(new NDIndex("..., 0"));
        NDArray ai = parts.get(new NDIndex("..., 1"));
        NDArray re = ar.mul(mr).sub(ai.mul(mi));
        NDArray im = ar.mul(mi).add(ai.mul(mr));
        return new NDList(SpectralConv2d.inverse(re, im, n));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), 1, in.get(2), in.get(3))};
    }

    /** The generator takes its shape {@code [N, N/2 + 1]} from the grid. */
    @Override
    protected void prepare(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        if (in.dimension() != 4 || in.get(1) != 1 || in.get(2) != in.get(3)) {
            throw new IllegalArgumentException("the surrogate network expects fields [B, 1, N, N], got " + in);
        }
        Shape shape = new Shape(in.get(2), in.get(2) / 2 + 1);
        generatorReal.setShape(shape);
        generatorImag.setShape(shape);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        // no child blocks
    }
}
