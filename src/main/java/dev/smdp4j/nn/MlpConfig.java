package dev.smdp4j.nn;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.physics.PhysicsModel;
import dev.smdp4j.score.NetworkOutput;
import java.util.List;

/**
 * A fully connected score network on {@code (x, log(t + 1e-5))} for small states (the toy SDE's
 * network in the full SMDP paper): hidden layers of the given widths with ELU activations, and
 * {@code outputs} linear outputs, one per value of the state. Evaluated by {@link MlpNetwork},
 * which also gives Jacobian-vector products for the score-matching baselines.
 *
 * @param hidden widths of the hidden layers
 * @param outputs values per state (the input has one more: the time)
 * @param gain a fixed factor on the method's output scale (a reparametrisation: the function class is
 *     unchanged, but Adam's steps, of similar size in every weight, then move the output by this much more)
 * @param inputGain a fixed factor on the state input: the toy's states are of order 1 near
 *     {@code t = 0} but about 0.05 at late times, where its score still varies strongly; with gain 1
 *     the first layer must first grow its weights twentyfold (measured: late-time scores stayed
 *     near zero or of the wrong sign after 6000 Adam steps, docs/RESULTS.md, "Toy SDE")
 * @param timeScaled multiply the output by {@code 1 / sqrt(t / T + 1e-3)} (1 at {@code T}, about 18 at
 *     {@code T / 500}), as score networks divide by the noise level: a score's size grows like
 *     {@code 1 / sqrt(t)} towards {@code t = 0}, and without it the late times' small scores are a
 *     tiny perturbation of the network's output
 */
public record MlpConfig(
        List<Integer> hidden,
        int outputs,
        double gain,
        @JsonProperty("input_gain") double inputGain,
        @JsonProperty("time_scaled") boolean timeScaled)
        implements NetworkConfig {

    /**
     * The reference's toy network: hidden 30, 30, 25, 20, 10, one output (about 2.5k parameters),
     * with input gain 30 and the time scaling (our additions; measured in docs/RESULTS.md, "Toy SDE").
     */
    public static MlpConfig toyDefaults() {
        return new MlpConfig(List.of(30, 30, 25, 20, 10), 1, 1, 30, true);
    }

    /** Gain 1, no time scaling. */
    public MlpConfig(List<Integer> hidden, int outputs) {
        this(hidden, outputs, 1, 1, false);
    }

    public MlpConfig {
        hidden = List.copyOf(hidden);
        if (hidden.isEmpty()
                || hidden.stream().anyMatch(h -> h == null || h < 1)
                || outputs < 1
                || !(gain > 0)
                || Double.isInfinite(gain)
                || !(inputGain > 0)
                || Double.isInfinite(inputGain)) {
            throw new InvalidInputException("invalid mlp network: hidden " + hidden + ", outputs " + outputs
                    + ", gain " + gain + ", input gain " + inputGain
                    + " (need at least one hidden layer, every width >= 1, outputs >= 1, a finite "
                    + "gain > 0 and input gain > 0)");
        }
    }

    /** Linear layers with ELU between them; {@code inChannels} is ignored (the input is the flat state and the time). */
    @Override
    public Block build(int inChannels) {
        SequentialBlock block = new SequentialBlock();
        for (int width : hidden) {
            block.add(Linear.builder().setUnits(width).build());
            block.add(x -> new ai.djl.ndarray.NDList(Activation.elu(x.singletonOrThrow(), 1f)));
        }
        block.add(Linear.builder().setUnits(outputs).build());
        return block;
    }

    @Override
    public Shape inputShape(int inChannels, int[] stateShape) {
        return new Shape(1, outputs + 1);
    }

    /** The MLP network; it sees no physics feature (the reference's input is {@code (x, log t)} alone). */
    @Override
    public NetworkOutput timeConditioned(
            Block block,
            ParameterStore store,
            double endTime,
            double outputScale,
            PhysicsModel feature,
            double featureSpan,
            double featureScale) {
        return new MlpNetwork(block, outputScale * gain, inputGain, timeScaled ? endTime : 0);
    }

    @Override
    public long flopsPerSample(int n, int inChannels) {
        long flops = 0;
        int in = outputs + 1;
        for (int width : hidden) {
            flops += 2L * in * width;
            in = width;
        }
        return flops + 2L * in * outputs;
    }

    @Override
    public String architecture() {
        return "mlp";
    }

    @JsonCreator
    static MlpConfig fromJson(
            @JsonProperty("hidden") List<Number> hidden,
            @JsonProperty("outputs") Number outputs,
            @JsonProperty("gain") Number gain,
            @JsonProperty("input_gain") Number inputGain,
            @JsonProperty("time_scaled") Boolean timeScaled) {
        if (hidden == null) {
            throw new IllegalArgumentException("'hidden' must be a list of widths");
        }
        if (timeScaled == null) {
            throw new IllegalArgumentException("'time_scaled' must be true or false");
        }
        return new MlpConfig(
                hidden.stream().map(h -> ConfigValues.whole(h, "hidden")).toList(),
                ConfigValues.whole(outputs, "outputs"),
                ConfigValues.number(gain, "gain"),
                ConfigValues.number(inputGain, "input_gain"),
                timeScaled);
    }

    @Override
    public String toString() {
        return "mlp: hidden " + hidden + ", ELU, " + outputs + " output(s), gain " + gain
                + ", input (x, log(t + 1e-5))";
    }
}
