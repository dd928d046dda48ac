package dev.smdp4j.train;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.Json;
import dev.smdp4j.nn.NetworkConfig;
import java.util.Map;

/**
 * Everything that determines a training run's result. Stored in every checkpoint (its JSON form,
 * bound by Jackson: every component but the network, stored beside it, and the graph budget); a
 * resumed run must use the same values. Built with {@link #builder}; {@link #read} reads the stored
 * form back, a field absent from older checkpoints taking the builder's default.
 *
 * @param method the method (network family and loss)
 * @param network the network's architecture
 * @param schedule the sliding-window schedule
 * @param seed seed of initialisation, batches, trajectories and validation noise
 * @param jitter jitter interior time points during training (the reference does)
 * @param augment random flips and 90-degree rotations of training fields
 * @param validationSize fields held out from the end of train.npz for model selection
 * @param scoreFactor score = factor * network output (recorded for sampling; see ScaledNetworkScore)
 * @param clip element-wise gradient clipping bound
 * @param weightDecay decoupled weight decay (AdamW; 0 = Adam)
 * @param anchorEvery one one-step ("anchor") term per this many unrolled steps of the window, at
 *     random times of the same simulated trajectories; 0 = the paper's loss alone (see
 *     UnrolledOdeObjective)
 * @param anchorWeight weight of the anchor terms
 * @param init checkpoint whose network weights start the run (warm start), or null for a fresh
 *     initialisation
 * @param physics SMDP's physics in the reverse step and the network's physics feature:
 *     {@code spectral} (the data's differentiable solver) or {@code surrogate:CKPT} (a learned
 *     one-step physics, {@link SurrogateModel}); the training trajectories always come from the
 *     data's simulator
 * @param graphEvaluations the most network evaluations (fields x unrolled steps) kept in one autograd
 *     graph; longer windows use gradient checkpointing (0 = no limit). It changes memory and speed,
 *     not the result (up to float reordering), so it is not part of the JSON form and a resumed
 *     run may change it.
 * @param averageDecay decay rate of the exponential moving average of the weights that are
 *     validated and saved ({@link WeightAverage}); 0 = no averaging, the raw weights
 */
public record TrainingOptions(
        Method method,
        @JsonIgnore NetworkConfig network,
        WindowSchedule schedule,
        long seed,
        boolean jitter,
        boolean augment,
        @JsonProperty("val_size") int validationSize,
        @JsonProperty("score_factor") double scoreFactor,
        double clip,
        @JsonProperty("weight_decay") double weightDecay,
        @JsonProperty("anchor_every") int anchorEvery,
        @JsonProperty("anchor_weight") double anchorWeight,
        String init,
        String physics,
        @JsonIgnore int graphEvaluations,
        @JsonProperty("average_decay") double averageDecay) {

    /** The physics of the data's solver, the default. */
    public static final String SPECTRAL = "spectral";

    /**
     * The default graph budget: a window-32 step at batch 32 then keeps 2 unrolled steps (64 field
     * evaluations) alive at a time, 1.3 GB peak instead of 10.1 GB without checkpointing and 2.1 GB
     * with 128 (docs/BENCHMARKS.md, "Training memory").
     */
    public static final int DEFAULT_GRAPH_EVALUATIONS = 64;

    /** Use {@link #builder}: the positional form mixes doubles and booleans that would swap silently. */
    public TrainingOptions {
        if (method == null || network == null || schedule == null) {
            throw new IllegalArgumentException("training options need a method, a network and a schedule");
        }
        if (validationSize < 0) {
            throw new InvalidInputException("--val-size must be >= 0, got " + validationSize);
        }
        if (!(scoreFactor > 0) || Double.isInfinite(scoreFactor)) {
            throw new InvalidInputException("--score-factor must be finite and > 0, got " + scoreFactor);
        }
        if (anchorEvery < 0 || !(anchorWeight >= 0) || Double.isInfinite(anchorWeight)) {
            throw new InvalidInputException("--anchor-every must be >= 0 and --anchor-weight finite and >= 0, got "
                    + anchorEvery + " and " + anchorWeight);
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new InvalidInputException("--weight-decay must be finite and >= 0, got " + weightDecay);
        }
        SurrogatePhysics.checkChoice(physics);
        if (!physics.equals(SPECTRAL) && method != Method.SMDP) {
            throw new InvalidInputException(
                    "--physics " + physics + " applies to --method smdp only, not " + method.id());
        }
        if (!method.unrolled() && schedule.stages().stream().anyMatch(s -> s.anchorEvery() != Stage.INHERIT)) {
            throw new InvalidInputException("a stage's anchor setting (the sixth --schedule field) applies to "
                    + "--method smdp and heatgen only, not " + method.id());
        }
        if (!method.unrolled() && schedule.stages().stream().anyMatch(s -> s.window() != 1)) {
            throw new InvalidInputException("method " + method.id() + " is not unrolled: every --schedule stage "
                    + "needs window 1, got " + schedule);
        }
        if (graphEvaluations < 0) {
            throw new InvalidInputException("--graph-evals must be >= 0 (0 = no limit), got " + graphEvaluations);
        }
        if (!(averageDecay >= 0 && averageDecay < 1)) {
            throw new InvalidInputException(
                    "--average must be in [0, 1) (0 = no weight averaging), got " + averageDecay);
        }
        if (!(clip > 0)) {
            throw new InvalidInputException("--clip must be > 0, got " + clip);
        }
    }

    /**
     * A builder with the method-independent defaults: seed 0, no jitter, no augmentation, no
     * validation set, the method's score factor, weight decay and anchors, anchor weight 1, clipping
     * 10, no warm start, {@value #SPECTRAL} physics, {@link #DEFAULT_GRAPH_EVALUATIONS} and no averaging.
     */
    public static Builder builder(Method method, NetworkConfig network, WindowSchedule schedule) {
        return new Builder().method(method).network(network).schedule(schedule);
    }

    /**
     * The defaults of {@code method} for a data set of {@code spec}: the problem's network and
     * schedule, no time jitter, flips and quarter turns only for square fields, a tenth of the
     * training set (at most 250) held out for validation, the method's score factor, weight decay
     * and anchors, clipping 10, the problem's own physics and graph budget, no weight averaging.
     */
    public static TrainingOptions defaults(Method method, DatasetSpec spec, long seed) {
        dev.smdp4j.problem.Problem problem = spec.problem();
        int[] state = problem.stateShape();
        boolean square = state.length == 2 && state[0] == state[1];
        return builder(method, problem.defaultNetwork(method), WindowSchedule.parse(problem.defaultSchedule(method)))
                .seed(seed)
                .augment(square)
                .validationSize(Math.min(250, spec.trainSize() / 10))
                .graphEvaluations(problem.graphEvaluations())
                .build();
    }

    /** These options with another schedule (validated again). */
    public TrainingOptions withSchedule(WindowSchedule other) {
        return toBuilder().schedule(other).build();
    }

    /** A builder holding these options. */
    public Builder toBuilder() {
        return builder(method, network, schedule)
                .seed(seed)
                .jitter(jitter)
                .augment(augment)
                .validationSize(validationSize)
                .scoreFactor(scoreFactor)
                .clip(clip)
                .weightDecay(weightDecay)
                .anchorEvery(anchorEvery)
                .anchorWeight(anchorWeight)
                .init(init)
                .physics(physics)
                .graphEvaluations(graphEvaluations)
                .averageDecay(averageDecay);
    }

    /** The JSON form (what checkpoints store under {@code training}) as a map. */
    public Map<String, Object> toMap() {
        return Json.mapper().convertValue(this, new TypeReference<Map<String, Object>>() {});
    }

    /**
     * Options from their JSON form (a checkpoint's {@code training}) with the network and graph budget,
     * which the form does not hold; a field the form lacks (written before the option existed)
     * takes the builder's default.
     *
     * @throws InvalidInputException if the form is malformed or its options are invalid
     */
    public static TrainingOptions read(JsonNode form, NetworkConfig network, int graphEvaluations) {
        Builder builder;
        try {
            builder = Json.mapper().treeToValue(form, Builder.class);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            if (e.getCause() instanceof InvalidInputException invalid) {
                throw invalid;
            }
            throw new InvalidInputException("bad training options " + form + ": " + e.getMessage(), e);
        }
        if (builder == null) {
            throw new InvalidInputException("no training options");
        }
        return builder.network(network).graphEvaluations(graphEvaluations).build();
    }

    /**
     * Builds {@link TrainingOptions}; every setter names its option. Jackson fills its fields from the
     * JSON form ({@link #read}), so the defaults below are also what an older checkpoint's missing
     * field means.
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public static final class Builder {
        @JsonProperty
        private Method method;

        private NetworkConfig network;

        @JsonProperty
        private WindowSchedule schedule;

        @JsonProperty
        private long seed;

        @JsonProperty
        private boolean jitter;

        @JsonProperty
        private boolean augment;

        @JsonProperty("val_size")
        private int validationSize;
        /** Null: the method's default. */
        @JsonProperty("score_factor")
        private Double scoreFactor;

        @JsonProperty
        private double clip = 10;

        @JsonProperty("weight_decay")
        private Double weightDecay;

        @JsonProperty("anchor_every")
        private Integer anchorEvery;

        @JsonProperty("anchor_weight")
        private double anchorWeight = 1;

        @JsonProperty
        private String init;

        @JsonProperty
        private String physics = SPECTRAL;

        private int graphEvaluations = DEFAULT_GRAPH_EVALUATIONS;

        @JsonProperty("average_decay")
        private double averageDecay;

        private Builder() {}

        public Builder method(Method value) {
            method = value;
            return this;
        }

        public Builder network(NetworkConfig value) {
            network = value;
            return this;
        }

        public Builder schedule(WindowSchedule value) {
            schedule = value;
            return this;
        }

        public Builder seed(long value) {
            seed = value;
            return this;
        }

        public Builder jitter(boolean value) {
            jitter = value;
            return this;
        }

        public Builder augment(boolean value) {
            augment = value;
            return this;
        }

        public Builder validationSize(int value) {
            validationSize = value;
            return this;
        }

        public Builder scoreFactor(double value) {
            scoreFactor = value;
            return this;
        }

        public Builder clip(double value) {
            clip = value;
            return this;
        }

        public Builder weightDecay(double value) {
            weightDecay = value;
            return this;
        }

        public Builder anchorEvery(int value) {
            anchorEvery = value;
            return this;
        }

        public Builder anchorWeight(double value) {
            anchorWeight = value;
            return this;
        }

        /** The warm-start checkpoint, or null (or empty) for none. */
        public Builder init(String value) {
            init = value;
            return this;
        }

        public Builder physics(String value) {
            physics = value;
            return this;
        }

        public Builder graphEvaluations(int value) {
            graphEvaluations = value;
            return this;
        }

        public Builder averageDecay(double value) {
            averageDecay = value;
            return this;
        }

        /** @throws InvalidInputException naming the first invalid option */
        public TrainingOptions build() {
            if (method == null || schedule == null) {
                throw new InvalidInputException("training options need a method and a schedule");
            }
            return new TrainingOptions(
                    method,
                    network,
                    schedule,
                    seed,
                    jitter,
                    augment,
                    validationSize,
                    scoreFactor != null ? scoreFactor : method.defaultScoreFactor(),
                    clip,
                    weightDecay != null ? weightDecay : method.defaultWeightDecay(),
                    anchorEvery != null ? anchorEvery : method.defaultAnchorEvery(),
                    anchorWeight,
                    init == null || init.isEmpty() ? null : init,
                    physics,
                    graphEvaluations,
                    averageDecay);
        }
    }
}
