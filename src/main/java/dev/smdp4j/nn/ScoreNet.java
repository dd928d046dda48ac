package dev.smdp4j.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import dev.smdp4j.util.Scalars;
import java.util.ArrayList;
import java.util.List;

/**
 * The score network: a small residual CNN on the periodic grid, in the spirit of the paper's
 * "small ResNet-like architecture based on an encoder and decoder part".
 *
 * <p>Encoder: a lifting convolution from the input channels (the field, plus the time channel when
 * time-conditioned) to {@code width} channels, then residual blocks {@code h + conv(act(conv(act(h))))}
 * whose convolutions cycle through increasing dilations (1, 2, 4, 8 by default), so that the
 * receptive field covers the whole 32 x 32 torus at full resolution (the exact score couples all
 * pixels through the low modes). Decoder: a projection convolution to one channel, initialised to
 * zero so that training starts from the physics-only reverse step. Circular padding everywhere.
 *
 * <p>Optionally ({@code spectralModes > 0}) a per-mode linear branch ({@link SpectralConv2d}) from
 * the last hidden layer is added to the output, initialised to zero; with
 * {@code spectralFieldPowers = {j1, j2, ...}} its input also holds the field times powers of the time
 * channel, {@code tau^j1 x, tau^j2 x, ...} with {@code tau} input channel 1 ({@code t / T}, positive
 * on every time grid), so that it can form a per-mode linear map of x with coefficients that are
 * Laurent polynomials in t. With {@code spectralExclusive} the projection's output is high-passed
 * first, so that the branch alone produces the modes it keeps.
 *
 * <p>Without gradient recording (sampling, evaluation) the trunk, from the lift to the projection,
 * runs as one TorchScript method ({@link ScriptedTrunk}) with the same weights and channels-last
 * activations; with recording, operation by operation.
 *
 * <p>Input {@code [B, C_in, N, N]}, output {@code [B, 1, N, N]}.
 */
public final class ScoreNet extends FieldBlock {
    private final ScoreNetConfig config;
    private final CircularConv lift;
    private final List<CircularConv> convs = new ArrayList<>();
    private final CircularConv project;
    /** The optional per-mode linear branch from the last hidden layer to the output (null when off). */
    private final SpectralConv2d spectral;
    /** The trunk's convolutions in the scripted trunk's parameter order: lift, blocks, projection. */
    private final List<CircularConv> trunk = new ArrayList<>();
    /** The trunk as one TorchScript method for passes without gradients; null until compiled, or when not supported. */
    private ScriptedTrunk script;

    private boolean scriptTried;

    public ScoreNet(ScoreNetConfig config, int inChannels) {
        super(inChannels);
        this.config = config;
        this.lift = addChildBlock("lift", new CircularConv(config.width(), config.kernel(), 1));
        for (int j = 0; j < 2 * config.blocks(); j++) {
            convs.add(addChildBlock(
                    "block" + (j / 2) + "_conv" + (j % 2),
                    new CircularConv(config.width(), config.kernel(), config.dilation(j))));
        }
        this.project = addChildBlock("project", new CircularConv(1, config.kernel(), 1));
        project.conv().setInitializer(Initializer.ZEROS, Parameter.Type.WEIGHT);
        trunk.add(lift);
        trunk.addAll(convs);
        trunk.add(project);
        if (config.spectralModes() > 0) {
            if (config.spectralFieldPowers().length > 0 && inChannels < 2) {
                throw new IllegalArgumentException("time-polynomial field terms need a time channel (input channel 1)");
            }
            spectral = addChildBlock(
                    "spectral",
                    new SpectralConv2d(
                            config.width() + config.spectralFieldPowers().length, 1, config.spectralModes()));
            spectral.setInitializer(Initializer.ZEROS, Parameter.Type.WEIGHT); // starts as the network without it
        } else {
            spectral = null;
        }
    }

    public ScoreNetConfig config() {
        return config;
    }

    /**
     * The pass frees each intermediate as soon as the next operation has read it (autograd keeps
     * what the backward pass needs through its own references), so that every operation writes
     * into memory the previous ones just released and still in cache: measured, a chain of ten
     * padded convolutions at batch 32 ran about a third faster than with every intermediate kept
     * until the pass's scope closed (docs/BENCHMARKS.md, "Freeing intermediates at once").
     */
    @Override
    protected NDList forwardInternal(
            ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList scripted = JniUtils.isGradMode() ? null : scriptedTrunk(store, inputs.head());
        NDArray h;
        NDArray out;
        if (scripted != null) {
            out = scripted.get(0);
            h = scripted.get(1);
        } else {
            h = lift.forward(store, inputs, training).singletonOrThrow();
            for (int j = 0; j < convs.size(); j += 2) {
                NDArray r = conv(convs.get(j), store, h, training);
                NDArray r2 = conv(convs.get(j + 1), store, r, training);
                r.close();
                NDArray next = h.add(r2);
                r2.close();
                h.close();
                h = next;
            }
            out = conv(project, store, h, training);
        }
        if (spectral == null) {
            h.close();
            return new NDList(out);
        }
        if (config.spectralExclusive()) {
            NDArray high = spectral.highPass(out);
            out.close();
            out = high;
        }
        NDArray branchInput =
                config.spectralFieldPowers().length == 0 ? h : NDArrays.concat(fieldTerms(inputs.head(), h), 1);
        NDArray branch =
                spectral.forward(store, new NDList(branchInput), training).singletonOrThrow();
        if (branchInput != h) {
            branchInput.close();
        }
        h.close();
        NDArray sum = out.add(branch);
        out.close();
        branch.close();
        return new NDList(sum);
    }

    /**
     * {@code [out, h]} of the trunk from its TorchScript twin ({@link ScriptedTrunk}), or null when
     * the configuration is not scripted or the engine could not compile it (then the Java
     * operations run, as with gradient recording). Compiled at the first call, in the parameters'
     * manager.
     */
    private NDList scriptedTrunk(ParameterStore store, NDArray x) {
        ScriptedTrunk script = script();
        if (script == null) {
            return null;
        }
        List<NDArray> parameters = new ArrayList<>(2 * trunk.size());
        for (CircularConv c : trunk) {
            parameters.add(store.getValue(c.conv().getParameters().get("weight"), x.getDevice(), false));
            parameters.add(store.getValue(c.conv().getParameters().get("bias"), x.getDevice(), false));
        }
        return script.forward(x, parameters);
    }

    /** Whether passes without gradient recording have run the scripted trunk (false before the first). */
    synchronized boolean scripted() {
        return script != null;
    }

    private synchronized ScriptedTrunk script() {
        if (!scriptTried) {
            scriptTried = true;
            if (ScriptedTrunk.supports(config, inChannels())) {
                NDManager owner =
                        lift.conv().getParameters().get("weight").getArray().getManager();
                try {
                    script = ScriptedTrunk.compile(owner, config);
                } catch (RuntimeException e) {
                    System.err.println("smdp4j: the engine could not compile the scripted network trunk ("
                            + e.getMessage() + "); using the slower per-operation path");
                }
            }
        }
        return script;
    }

    /** {@code c(act(x))}, the activation freed once the convolution has read it. */
    private NDArray conv(CircularConv c, ParameterStore store, NDArray x, boolean training) {
        NDArray a = act(x);
        NDArray y = c.forward(store, new NDList(a), training).singletonOrThrow();
        a.close();
        return y;
    }

    /** {@code [h, tau^j1 x, tau^j2 x, ...]} along the channel axis, from the input {@code [x, tau, ...]}. */
    private NDList fieldTerms(NDArray input, NDArray h) {
        NDList parts = new NDList(h);
        NDArray x = input.get(":, 0:1");
        NDArray tau = input.get(":, 1:2");
        for (int j : config.spectralFieldPowers()) {
            parts.add(j == 0 ? x : x.mul(Scalars.pow(tau, j)));
        }
        return parts;
    }

    private NDArray act(NDArray x) {
        return config.activation().equals("gelu") ? Activation.gelu(x) : Activation.leakyRelu(x, 0.01f);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape in = inputShapes[0];
        Shape hidden = new Shape(in.get(0), config.width(), in.get(2), in.get(3));
        lift.initialize(manager, dataType, in);
        for (CircularConv c : convs) {
            c.initialize(manager, dataType, hidden);
        }
        project.initialize(manager, dataType, hidden);
        if (spectral != null) {
            spectral.initialize(manager, dataType, new Shape(in.get(0), spectral.inChannels(), in.get(2), in.get(3)));
        }
    }
}
