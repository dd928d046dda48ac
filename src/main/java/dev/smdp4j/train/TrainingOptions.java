package dev.smdp4j.train;

import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.nn.NetworkConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything that determines a training run's result. Stored in every checkpoint; a resumed
 * run must use the same values.
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
 *     not the result (up to float reordering), so it is not part of {@link #toMap} and a resumed
 *     run may change it.
 * @param averageDecay decay rate of the exponential moving average of the weights that are
 *     validated and saved ({@link WeightAverage}); 0 = no averaging, the raw weights
 */
public record TrainingOptions(Method method, NetworkConfig network, WindowSchedule schedule, long seed, boolean jitter,
        boolean augment, int validationSize, double scoreFactor, double clip, double weightDecay, int anchorEvery,
        double anchorWeight, String init, String physics, int graphEvaluations, double averageDecay) {

    /** The physics of the data's solver, the default. */
    public static final String SPECTRAL = "spectral";

    /**
     * The default graph budget: a window-32 step at batch 32 then keeps 2 unrolled steps (64 field
     * evaluations) alive at a time, 1.3 GB peak instead of 10.1 GB without checkpointing and 2.1 GB
     * with 128 (docs/BENCHMARKS.md, "Training memory").
     */
    public static final int DEFAULT_GRAPH_EVALUATIONS = 64;

    public TrainingOptions {
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
            throw new InvalidInputException("--physics " + physics + " applies to --method smdp only, not "
                    + method.id());
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
            throw new InvalidInputException("--average must be in [0, 1) (0 = no weight averaging), got " + averageDecay);
        }
        if (!(clip > 0)) {
            throw new InvalidInputException("--clip must be > 0, got " + clip);
        }
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
        return new TrainingOptions(method, problem.defaultNetwork(method),
                WindowSchedule.parse(problem.defaultSchedule(method)), seed, false, square,
                Math.min(250, spec.trainSize() / 10), method.defaultScoreFactor(), 10, method.defaultWeightDecay(),
                method.defaultAnchorEvery(), 1, null, SPECTRAL, problem.graphEvaluations(), 0);
    }

    /** These options with another schedule (validated again). */
    public TrainingOptions withSchedule(WindowSchedule other) {
        return new TrainingOptions(method, network, other, seed, jitter, augment, validationSize, scoreFactor, clip,
                weightDecay, anchorEvery, anchorWeight, init, physics, graphEvaluations, averageDecay);
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", method.id());
        m.put("schedule", schedule.toString());
        m.put("seed", seed);
        m.put("jitter", jitter);
        m.put("augment", augment);
        m.put("val_size", validationSize);
        m.put("score_factor", scoreFactor);
        m.put("clip", clip);
        m.put("weight_decay", weightDecay);
        m.put("anchor_every", anchorEvery);
        m.put("anchor_weight", anchorWeight);
        m.put("init", init == null ? "" : init);
        if (!physics.equals(SPECTRAL)) { // absent = spectral: runs and cache keys from before the option stay valid
            m.put("physics", physics);
        }
        if (averageDecay > 0) { // absent = none: runs and cache keys from before the option stay valid
            m.put("average_decay", averageDecay);
        }
        return m;
    }
}
