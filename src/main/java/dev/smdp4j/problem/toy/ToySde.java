package dev.smdp4j.problem.toy;

import ai.djl.ndarray.NDManager;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.nn.MlpConfig;
import dev.smdp4j.nn.NetworkConfig;
import dev.smdp4j.physics.PhysicsModel;
import dev.smdp4j.problem.Problem;
import dev.smdp4j.problem.Problems;
import dev.smdp4j.score.ScoreModel;
import dev.smdp4j.train.Method;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one-dimensional SDE of the full SMDP paper ("Solving Inverse Physics Problems with Score
 * Matching", Holzschuh, Vegetti and Thuerey, 2023, Fig. 1): {@code dx = -lambda sign(x) x^2 dt + g dw}
 * on {@code [0, T]} from {@code x0 = +1} or {@code -1}. Every end state is compatible with both
 * starts, so a point estimate is wrong by construction and only posterior sampling reaches both.
 *
 * <p>Protocol (the authors' configuration files, which differ from their README): {@code lambda = 7},
 * {@code g = 0.03}, {@code T = 10}, {@code M = 499} intervals ({@code dt = 10/499}, the 500 stored
 * points of the reference), 2500 training trajectories. The initial states alternate {@code +1,
 * -1} (as the reference's; the prior's seed is therefore unused). States are {@code [1]}; the
 * normalisation is the identity (the drift is nonlinear, and the data are already of order one).
 * Observations are noisy end states of the forward SDE (no extra observation noise by default).
 */
public record ToySde(double lambda) implements Problem {
    public static final String NAME = "toy-sde";
    /**
     * The checkpoint-selection metric, {@code q_loss + q_loss_10pct / 1000}: one minus Q at 1%, ties
     * broken at 10% (Q moves in steps of at least 2/n, 0.008 for 250 validation paths, so the
     * tie-break never outweighs a difference at 1%).
     */
    public static final String SELECTION = "q_loss_then_10pct";

    private static final double TIE_BREAK = 1e-3;
    /** See {@link #oneStepTimesPerField()}. */
    public static final int ONE_STEP_TIMES_PER_FIELD = 64;
    /**
     * One-step SMDP (window 1, which the paper's sliding window allows), 20 000 Adam updates of 64
     * fields x {@link #ONE_STEP_TIMES_PER_FIELD} independent times: learning rate 1e-3 for the first
     * half, then 1e-4 (as the reference's two rates), the last 10 epochs a separate stage so that
     * the checkpoints are chosen among the validations at each of their ends. The windows of 2 to
     * 32 steps that this problem used before reached Q at 1% of at most 0.05 (docs/HISTORY.md).
     */
    public static final String SMDP_SCHEDULE = "1:280:64:1e-3:1e-3:0,1:280:64:1e-4:1e-4:0,1:10:64:1e-4:1e-4:0";
    /**
     * The score-matching baselines: the same updates as SMDP's schedule (64 fields x {@link
     * #ONE_STEP_TIMES_PER_FIELD} independent times, 20 000 updates, the same learning rates), on
     * the same fixed trajectories.
     */
    public static final String SCORE_MATCHING_SCHEDULE = "1:280:64:1e-3:1e-3,1:280:64:1e-4:1e-4,1:10:64:1e-4:1e-4";

    public ToySde {
        if (!(lambda >= 0) || Double.isInfinite(lambda)) {
            throw new InvalidInputException("toy-sde: lambda must be finite and >= 0, got " + lambda);
        }
    }

    /** {@code lambda = 7}. */
    public static ToySde paper() {
        return new ToySde(7);
    }

    public static ToySde fromParameters(Map<String, ?> m) {
        return new ToySde(Problems.number(m, "lambda"));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int[] stateShape() {
        return new int[] {1};
    }

    @Override
    public Map<String, Object> parameters() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lambda", lambda);
        return m;
    }

    /** 2500 training and 500 test trajectories, {@code T = 10}, {@code M = 499}, {@code g = 0.03}, {@code s = 0}. */
    @Override
    public DatasetSpec defaultSpec() {
        return new DatasetSpec(this, 2500, 500, 10, 499, 0.03, 0, 0);
    }

    @Override
    public PhysicsModel physics(NDManager manager, Normalisation normalisation) {
        if (normalisation.mean() != 0 || normalisation.std() != 1) {
            throw new InvalidInputException(
                    "toy-sde works in physical units; normalisation must be the identity, got " + normalisation);
        }
        return new ToyDrift(lambda);
    }

    /** {@code +1, -1, +1, ...} ({@code [count, 1]}). */
    @Override
    public HostArray initialStates(NDManager manager, int count, long seed) {
        float[] x = new float[count];
        for (int i = 0; i < count; i++) {
            x[i] = i % 2 == 0 ? 1f : -1f;
        }
        return new HostArray(x, count, 1);
    }

    /** The identity: the process is nonlinear and already of order one. */
    @Override
    public Normalisation normalisation(HostArray trainX0) {
        return new Normalisation(0, 1);
    }

    @Override
    public Set<Method> methods() {
        return EnumSet.of(Method.SMDP, Method.ISM, Method.SSM_VR);
    }

    /** The reference's MLP on {@code (x, log(t + 1e-5))}: hidden layers 30, 30, 25, 20, 10, ELU. */
    @Override
    public NetworkConfig defaultNetwork(Method method) {
        return MlpConfig.toyDefaults();
    }

    /** One: the states are scalars, and a second thread costs more than each operation (Engines#newManager(int)). */
    @Override
    public int engineThreads() {
        return 1;
    }

    /**
     * Yes: the last steps decide whether a path ends within 1% of a mode, and with uniform starts
     * the SDE paths diverged from some starts; with half the starts log-uniform none did (measured,
     * docs/RESULTS.md, "Toy SDE").
     */
    @Override
    public boolean earlyTimeWindows() {
        return true;
    }

    /** 64: a batch of 64 fields trains 4096 one-step terms, each at its own time. */
    @Override
    public int oneStepTimesPerField() {
        return ONE_STEP_TIMES_PER_FIELD;
    }

    /** Yes: the reference trains every method on one stored set of 2500 trajectories. */
    @Override
    public boolean fixedTrainingTrajectories() {
        return true;
    }

    /** Yes: a path that diverges is a miss of both modes ({@link ModeHits}). */
    @Override
    public boolean metricsScoreDivergence() {
        return true;
    }

    /** No limit: a window of 32 steps at batch 256 keeps a few megabytes alive. */
    @Override
    public int graphEvaluations() {
        return 0;
    }

    @Override
    public String defaultSchedule(Method method) {
        return method == Method.SMDP ? SMDP_SCHEDULE : SCORE_MATCHING_SCHEDULE;
    }

    /**
     * {@code mse} against the true start, {@code q_loss = 1 - Q} at the paper's 1% tolerance and
     * {@code q_loss_10pct} at the reference's 10% ({@link ModeHits}), and {@link #SELECTION}: lower is
     * better for each.
     */
    @Override
    public Map<String, Double> metrics(HostArray truthX0, HostArray estimates, DatasetSpec spec) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("mse", Problem.meanSquaredError(truthX0, estimates, NAME));
        float[] e = estimates.data();
        m.put("q_loss", 1 - ModeHits.of(e, ModeHits.STRICT).q());
        m.put("q_loss_10pct", 1 - ModeHits.of(e, ModeHits.LOOSE).q());
        m.put(SELECTION, m.get("q_loss") + TIE_BREAK * m.get("q_loss_10pct"));
        return m;
    }

    /** {@code exact-score}: the Fokker-Planck reference's score ({@link ToyExactScore}). */
    @Override
    public List<String> closedForms() {
        return List.of("exact-score");
    }

    @Override
    public ScoreModel closedFormScore(
            NDManager manager, String name, DatasetSpec spec, Normalisation normalisation, double factor) {
        if (!name.equals("exact-score")) {
            return Problem.super.closedFormScore(manager, name, spec, normalisation, factor);
        }
        return new ToyExactScore(lambda, spec.diffusion(), spec.endTime());
    }

    /**
     * {@link #SELECTION} for both checkpoints: one minus Q at the paper's 1%, ties broken by Q at
     * 10%. With two modes the MSE prefers estimates between them. At 10% alone, seed 1 took a
     * posterior checkpoint with Q 0.98 at 10% but 0.78 at 1% on the validation set; at 1% alone,
     * a model that never hits within 1% (the baselines, any early model) ties at 1 everywhere and
     * the first validation would win.
     */
    @Override
    public String estimateMetric() {
        return SELECTION;
    }

    @Override
    public String posteriorMetric() {
        return SELECTION;
    }
}
