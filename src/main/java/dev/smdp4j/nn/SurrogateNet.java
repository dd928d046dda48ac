package dev.smdp4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A one-step physics surrogate {@code P_d(x)} (see {@link SurrogateNetConfig}): a bank of
 * {@code filters} circular {@code kernel x kernel} convolutions of the field, mixed by
 * coefficients {@code s * mlp(s)} of the relative span {@code s = d / d_ref}:
 * <pre>  P_d(x) = sum_j s c_j(s) (K_j * x)</pre>
 * Linear in the field (as the physics it learns for linear PDEs), smooth in the span, and
 * {@code P_0 = 0} by construction. Inputs: the field {@code [B, 1, N, N]} and the span
 * {@code [1, 1]}; output {@code [B, 1, N, N]}.
 */
public final class SurrogateNet extends AbstractBlock {
    private final SurrogateNetConfig config;
    private final CircularConv filters;
    private final Linear hidden;
    private final Linear mixing;

    public SurrogateNet(SurrogateNetConfig config) {
        this.config = config;
        this.filters = addChildBlock("filters", new CircularConv(config.filters(), config.kernel(), 1));
        this.hidden = addChildBlock("span_hidden", Linear.builder().setUnits(config.hidden()).build());
        this.mixing = addChildBlock("span_mixing", Linear.builder().setUnits(config.filters()).build());
    }

    public SurrogateNetConfig config() {
        return config;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.get(0);
        NDArray span = inputs.get(1);
        NDArray h = Activation.tanh(hidden.forward(store, new NDList(span), training).singletonOrThrow());
        NDArray c = mixing.forward(store, new NDList(h), training).singletonOrThrow().mul(span); // [1, J]
        NDArray k = filters.forward(store, new NDList(x), training).singletonOrThrow(); // [B, J, N, N]
        return new NDList(k.mul(c.reshape(1, config.filters(), 1, 1)).sum(new int[] {1}, true));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), 1, in.get(2), in.get(3))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        filters.initialize(manager, dataType, inputShapes[0]);
        hidden.initialize(manager, dataType, new Shape(1, 1));
        mixing.initialize(manager, dataType, new Shape(1, config.hidden()));
    }
}
