package dev.smdp4j.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.nn.ScoreNet;
import dev.smdp4j.physics.HeatEquation;
import dev.smdp4j.nn.ScoreNetConfig;
import dev.smdp4j.nn.TimeConditionedNetwork;
import dev.smdp4j.score.ScaledNetworkScore;
import dev.smdp4j.score.ScoreModel;
import java.nio.file.Path;
import java.util.Map;

/**
 * A score network together with everything needed to use it: the data set's parameters and
 * normalisation it was trained for, and the factor that turns its output into a score.
 */
public final class SmdpModel {
    /** Input channels of the score network: the field, the time and the physics feature. */
    public static final int IN_CHANNELS = 3;

    private final ScoreNet block;
    private final TimeConditionedNetwork network;
    private final DatasetSpec spec;
    private final Normalisation normalisation;
    private final double scoreFactor;

    private SmdpModel(ScoreNet block, TimeConditionedNetwork network, DatasetSpec spec, Normalisation normalisation,
            double scoreFactor) {
        this.block = block;
        this.network = network;
        this.spec = spec;
        this.normalisation = normalisation;
        this.scoreFactor = scoreFactor;
    }

    /** A freshly initialised network (weights drawn from the engine's generator seeded with {@code seed}). */
    public static SmdpModel create(NDManager manager, ScoreNetConfig config, DatasetSpec spec, Normalisation norm,
            double scoreFactor, long seed) {
        ScoreNet block = new ScoreNet(config, IN_CHANNELS);
        Engine.getInstance().setRandomSeed((int) (seed ^ (seed >>> 32)));
        block.initialize(manager, DataType.FLOAT32, new Shape(1, IN_CHANNELS, spec.gridSize(), spec.gridSize()));
        double span = spec.endTime() / spec.steps();
        double noise = spec.diffusion() * Math.sqrt(span);
        HeatEquation physics = new HeatEquation(manager, spec.alpha());
        TimeConditionedNetwork net = new TimeConditionedNetwork(block, new ParameterStore(manager, false), spec.endTime(),
                outputScale(spec), physics, span, noise > 0 ? 1 / noise : 1);
        return new SmdpModel(block, net, spec, norm, scoreFactor);
    }

    /** The model stored in a checkpoint written by {@link TrainingRun}. */
    public static SmdpModel load(NDManager manager, Checkpoint checkpoint) {
        JsonNode meta = checkpoint.metadata();
        Path file = checkpoint.file();
        if (!"smdp".equals(meta.path("method").asText())) {
            throw new InvalidInputException(file + ": not an SMDP score-network checkpoint (method '"
                    + meta.path("method").asText() + "')");
        }
        ObjectMapper mapper = new ObjectMapper();
        @SuppressWarnings("unchecked")
        Map<String, Object> net = mapper.convertValue(meta.path("network"), Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> params = mapper.convertValue(meta.path("dataset").path("parameters"), Map.class);
        DatasetSpec spec = DatasetSpec.fromMap(params, file.toString());
        JsonNode n = meta.path("dataset").path("normalisation");
        Normalisation norm = new Normalisation(n.path("mean").asDouble(), n.path("std").asDouble());
        double factor = meta.path("training").path("score_factor").asDouble(ScaledNetworkScore.TWEEDIE_FACTOR);
        SmdpModel model = create(manager, ScoreNetConfig.fromMap(net), spec, norm, factor, 0);
        try {
            ParameterIO.load(model.block, checkpoint.tensors());
        } catch (InvalidInputException e) {
            throw new InvalidInputException(file + ": " + e.getMessage(), e);
        }
        return model;
    }

    /**
     * The fixed output scale {@code 2 / (g sqrt(d))}, {@code d = T / M}. The training step adds
     * {@code d (1/2) g^2 net}; with {@code net = scale * raw} it adds {@code g sqrt(d) raw}, so a
     * raw output of order one is a correction of the size of one step's noise, which is the size the
     * optimum has. Without it the network must output values of order {@code 1/(g sqrt(d))}
     * (about 250 on the benchmark) built up from a small initialisation; with the larger scale
     * {@code 2 / (g^2 d)} (raw = correction in field units) one Adam step moved the output by many
     * times the needed precision. A reparametrisation: the function class is unchanged.
     */
    public static double outputScale(DatasetSpec spec) {
        double gRootD = spec.diffusion() * Math.sqrt(spec.endTime() / spec.steps());
        return gRootD > 0 ? 2 / gRootD : 1;
    }

    public ScoreNet block() {
        return block;
    }

    public TimeConditionedNetwork network() {
        return network;
    }

    public DatasetSpec spec() {
        return spec;
    }

    public Normalisation normalisation() {
        return normalisation;
    }

    public double scoreFactor() {
        return scoreFactor;
    }

    /** The score {@code factor * net(x, t)}, or with another factor (e.g. to compare readings). */
    public ScoreModel score(double factor) {
        return new ScaledNetworkScore(network, factor);
    }

    public ScoreModel score() {
        return score(scoreFactor);
    }
}
