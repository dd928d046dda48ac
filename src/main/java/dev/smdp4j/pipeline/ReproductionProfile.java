package dev.smdp4j.pipeline;

import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.nn.FnoConfig;
import dev.smdp4j.nn.NetworkConfig;
import dev.smdp4j.nn.ScoreNetConfig;
import dev.smdp4j.nn.UNetConfig;
import dev.smdp4j.score.ScaledNetworkScore;
import dev.smdp4j.train.Method;
import dev.smdp4j.train.TrainingOptions;
import dev.smdp4j.train.WindowSchedule;
import java.util.Map;

/**
 * What {@code smdp reproduce} runs: the data set, and per method the network and schedule.
 *
 * <ul>
 *   <li>{@code paper}: the paper's protocol (2500/500 fields, 32x32, M = 32) with every method's
 *       default network and schedule, i.e. exactly what {@code smdp train --method M} trains.
 *   <li>{@code quick}: a first look in a few minutes (320/64 fields, M = 8 time steps instead of
 *       32, smaller networks, short schedules); the numbers are not the paper's, the qualitative
 *       ordering of the SMDP pair is (measured: with M = 32 the short SMDP schedule left an
 *       unstable ODE rollout, MSE 2e5 x 1e-5; with M = 8 validation ODE 11e-5 / spectral 1.47,
 *       SDE 13e-5 / 0.79 in 92 s).
 * </ul>
 *
 * @param validationSize fields of train.npz held out for model selection
 * @param posteriorSamples SDE samples per observation behind Figure 2's posterior mean and std
 * @param figureObservations test observations shown in Figure 2
 * @param learnedPhysicsSchedule the schedule of SMDP with the learned physics (the surrogate's
 *     rows), or null for SMDP's
 * @param learnedPhysics whether to train the surrogate and SMDP with it (the two "learned physics"
 *     rows, not in the paper's table). On by default in {@code quick} (20 s more); off by default in
 *     {@code paper}, where it repeats SMDP's 30-minute training and would break the 60-minute budget
 *     (docs/HISTORY.md, "Table 1 from one command")
 */
public record ReproductionProfile(
        String name,
        DatasetSpec data,
        int validationSize,
        Map<Method, String> schedules,
        Map<Method, NetworkConfig> networks,
        int posteriorSamples,
        int figureObservations,
        String learnedPhysicsSchedule,
        boolean learnedPhysics,
        long seed) {

    /** The quick profile's surrogate: a short schedule (measured in docs/HISTORY.md, "Learned physics"). */
    static final String QUICK_SURROGATE_SCHEDULE = "1:10:8:3e-1:1e-4";
    /** The quick profile's SMDP with learned physics: SMDP's quick schedule without the window-8 stage, to stay fast. */
    static final String QUICK_LEARNED_PHYSICS_SCHEDULE = "1:4:32:1e-3:1e-3,2:2:32:3e-4:3e-4,4:2:16:3e-4:1e-5";

    public static ReproductionProfile named(String name) {
        return switch (name) {
            case "paper" ->
                new ReproductionProfile(
                        "paper",
                        DatasetSpec.paper(),
                        250,
                        Map.of(),
                        Map.of(),
                        32,
                        3,
                        null,
                        false,
                        DatasetSpec.paper().seed());
            case "quick" -> quick();
            default -> throw new InvalidInputException("unknown profile '" + name + "'; valid: quick, paper");
        };
    }

    private static ReproductionProfile quick() {
        DatasetSpec data = DatasetSpec.heat(320, 64, 32, 4, 1, 0.2, 8, 0.1, 0.01, 0);
        ScoreNetConfig small = new ScoreNetConfig(16, 2, 3, new int[] {1, 2, 4, 8}, "leaky-relu");
        // SMDP's network family in the small size: the plain network plus SMDP's spectral branch.
        ScoreNetConfig d = ScoreNetConfig.smdpDefaults();
        ScoreNetConfig smallSmdp = new ScoreNetConfig(
                16,
                2,
                3,
                new int[] {1, 2, 4, 8},
                "leaky-relu",
                d.spectralModes(),
                d.spectralFieldPowers(),
                d.spectralExclusive());
        String oneShot = "1:8:32:1e-3:1e-5";
        return new ReproductionProfile(
                "quick",
                data,
                32,
                Map.of(
                        Method.SMDP,
                        "1:4:32:1e-3:1e-3,2:2:32:3e-4:3e-4,4:2:16:3e-4:3e-4,8:4:16:3e-4:1e-5",
                        Method.HEATGEN,
                        "1:4:32:1e-3:1e-3,2:2:32:3e-4:3e-4,4:2:16:3e-4:3e-4,8:2:16:3e-4:1e-5",
                        Method.RESNET_S,
                        oneShot,
                        Method.RESNET_P,
                        oneShot,
                        Method.BNN_S,
                        oneShot,
                        Method.BNN_P,
                        oneShot,
                        Method.FNO_S,
                        oneShot,
                        Method.FNO_P,
                        oneShot,
                        Method.SURROGATE,
                        QUICK_SURROGATE_SCHEDULE),
                Map.of(
                        Method.SMDP,
                        smallSmdp,
                        Method.HEATGEN,
                        small,
                        Method.RESNET_S,
                        small,
                        Method.RESNET_P,
                        small,
                        Method.BNN_S,
                        new UNetConfig(8, 5, UNetConfig.defaults().dropout()),
                        Method.BNN_P,
                        new UNetConfig(8, 5, UNetConfig.defaults().dropout()),
                        Method.FNO_S,
                        new FnoConfig(8, 12, 2, 32),
                        Method.FNO_P,
                        new FnoConfig(8, 12, 2, 32)),
                16,
                3,
                QUICK_LEARNED_PHYSICS_SCHEDULE,
                true,
                data.seed());
    }

    /** This profile with the learned-physics rows switched on or off. */
    public ReproductionProfile withLearnedPhysics(boolean on) {
        return with(on, seed);
    }

    /**
     * This profile with another seed for training and sampling (network initialisation, batches,
     * noise); the data set stays the profile's, so runs with different seeds are scored on the same
     * test observations and their spread is the training's run-to-run spread.
     */
    public ReproductionProfile withSeed(long newSeed) {
        return with(learnedPhysics, newSeed);
    }

    private ReproductionProfile with(boolean learnedPhysicsRows, long trainingSeed) {
        return new ReproductionProfile(
                name,
                data,
                validationSize,
                schedules,
                networks,
                posteriorSamples,
                figureObservations,
                learnedPhysicsSchedule,
                learnedPhysicsRows,
                trainingSeed);
    }

    /** The training options of {@code method} in this profile (method defaults where the profile says nothing). */
    public TrainingOptions options(Method method) {
        return options(method, schedules.getOrDefault(method, method.defaultSchedule()), TrainingOptions.SPECTRAL);
    }

    /** SMDP's training options with the learned physics {@code surrogate:CKPT} (the "learned physics" rows). */
    public TrainingOptions learnedPhysicsOptions(String physics) {
        return options(
                Method.SMDP,
                learnedPhysicsSchedule != null
                        ? learnedPhysicsSchedule
                        : schedules.getOrDefault(Method.SMDP, Method.SMDP.defaultSchedule()),
                physics);
    }

    private TrainingOptions options(Method method, String schedule, String physics) {
        return TrainingOptions.builder(
                        method, networks.getOrDefault(method, method.defaultNetwork()), WindowSchedule.parse(schedule))
                .seed(seed)
                .augment(true)
                .validationSize(validationSize)
                .scoreFactor(ScaledNetworkScore.TWEEDIE_FACTOR)
                .physics(physics)
                .build();
    }
}
