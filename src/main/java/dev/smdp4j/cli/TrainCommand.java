package dev.smdp4j.cli;

import ai.djl.ndarray.NDManager;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.DatasetStore;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.nn.FnoConfig;
import dev.smdp4j.nn.NetworkConfig;
import dev.smdp4j.nn.ScoreNetConfig;
import dev.smdp4j.nn.SurrogateNetConfig;
import dev.smdp4j.nn.UNetConfig;
import dev.smdp4j.problem.HeatProblem;
import dev.smdp4j.problem.Problem;
import dev.smdp4j.train.Method;
import dev.smdp4j.train.TrainingOptions;
import dev.smdp4j.train.TrainingRun;
import dev.smdp4j.train.WindowSchedule;
import dev.smdp4j.util.Engines;
import dev.smdp4j.util.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code smdp train}: trains SMDP or one of the baselines of Table 1 through the shared training loop. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Train the score network by maximum likelihood of the probability-flow ODE, unrolled through the "
                    + "differentiable heat solver over a sliding window (paper Section 2, Algorithm 1), or a baseline of "
                    + "Table 1 (--method).",
            "Writes OUT/last.ckpt (every epoch, every --checkpoint-minutes and on Ctrl-C), OUT/best.ckpt (best "
                    + "validation ODE MSE), for SMDP and HeatGen OUT/best-sde.ckpt (best validation SDE spectral error: "
                    + "the checkpoint for posterior sampling) and OUT/history.json. Continue an interrupted run with --resume."
        })
final class TrainCommand implements Callable<Integer> {
    @Option(
            names = "--data",
            required = true,
            paramLabel = "DIR",
            description = "Data set directory written by 'smdp generate'.")
    Path data;

    @Option(
            names = "--out",
            required = true,
            paramLabel = "DIR",
            description = "Run directory for checkpoints and history.")
    Path out;

    @Option(
            names = "--method",
            description = "heat: smdp, heatgen, resnet-s, resnet-p, bnn-s, bnn-p, fno-s, fno-p or "
                    + "surrogate; toy-sde: smdp, ism or ssm-vr (default: ${DEFAULT-VALUE}); -s = supervised loss, -p = physics "
                    + "loss; surrogate = a learned one-step physics for --physics (docs/USAGE.md).")
    String method = "smdp";

    @Option(
            names = "--physics",
            paramLabel = "spectral|surrogate:CKPT",
            description = "smdp: the physics of the "
                    + "reverse step and of the network's physics input: the data's spectral solver or a learned surrogate "
                    + "(a checkpoint of --method surrogate); the training trajectories always come from the data "
                    + "(default: ${DEFAULT-VALUE}).")
    String physics = TrainingOptions.SPECTRAL;

    @Option(
            names = "--schedule",
            paramLabel = "STAGES",
            description = "Sliding-window schedule, comma-separated "
                    + "window:epochs:batch:lrStart:lrEnd[:anchorEvery] stages; the optional sixth field sets that stage's "
                    + "anchors (smdp, heatgen; 0 = none) instead of --anchor-every (default: smdp "
                    + Method.SMDP_SCHEDULE + "; heatgen "
                    + Method.HEATGEN_SCHEDULE + "; one-shot baselines " + Method.ONE_SHOT_SCHEDULE + "; surrogate "
                    + Method.SURROGATE_SCHEDULE + ").")
    String schedule;

    @Option(names = "--width", description = "Channels: score network / ResNet 32, U-Net first level 16, FNO 20.")
    Integer width;

    @Option(
            names = "--max-span",
            description = "Surrogate: largest time span sampled in training, in units of the "
                    + "data's T/M (default: ${DEFAULT-VALUE}).")
    double maxSpan = SurrogateNetConfig.defaults().maxSpan();

    @Option(names = "--blocks", description = "Residual blocks (default: ${DEFAULT-VALUE}).")
    int blocks = ScoreNetConfig.defaults().blocks();

    @Option(
            names = "--dilations",
            split = ",",
            description = "Dilation cycle of the block convolutions (default: 1,2,4,8).")
    int[] dilations = ScoreNetConfig.defaults().dilations();

    @Option(names = "--activation", description = "leaky-relu or gelu (default: ${DEFAULT-VALUE}).")
    String activation = ScoreNetConfig.defaults().activation();

    @Option(
            names = "--spectral-modes",
            description = "Score network: modes per axis of a zero-initialised "
                    + "per-mode linear branch to the output; 0 = none (default: the method's: 4 for smdp, with "
                    + "field powers -1,0,1,2 and exclusive; 0 for the others; docs/HISTORY.md).")
    Integer spectralModes;

    @Option(
            names = "--spectral-field-powers",
            split = ",",
            paramLabel = "J[,J...]",
            description = "Score network: "
                    + "feed the spectral branch also the field times these powers of t/T (e.g. -1,0,1,2: x/tau, x, tau x, "
                    + "tau^2 x), so that it can form a per-mode linear map of x varying in t; needs --spectral-modes "
                    + "(default: the method's).")
    int[] spectralFieldPowers;

    @Option(
            names = "--spectral-exclusive",
            negatable = true,
            description = "Score network: the spectral branch alone "
                    + "produces the modes it keeps (the convolutional output is high-passed); needs --spectral-modes "
                    + "(default: the method's).")
    Boolean spectralExclusive;

    @Option(names = "--modes", description = "FNO: Fourier modes kept per axis (default: ${DEFAULT-VALUE}).")
    int modes = FnoConfig.defaults().modes();

    @Option(names = "--layers", description = "FNO: Fourier layers (default: ${DEFAULT-VALUE}).")
    int layers = FnoConfig.defaults().layers();

    @Option(
            names = "--levels",
            description = "U-Net (BNN): pooling levels (default: ${DEFAULT-VALUE}, 32x32 down to 1x1).")
    int levels = UNetConfig.defaults().levels();

    @Option(
            names = "--dropout",
            description = "U-Net (BNN): channel-wise dropout rate, active in training and "
                    + "sampling (default: ${DEFAULT-VALUE}).")
    double dropout = UNetConfig.defaults().dropout();

    @Option(
            names = "--weight-decay",
            description = "Decoupled weight decay, AdamW (default: 1e-4 for the one-shot "
                    + "baselines as the reference, 0 for smdp and heatgen).")
    Double weightDecay;

    @Option(names = "--seed", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed = 0;

    @Option(
            names = "--jitter",
            description = "Jitter interior time points by U[-d/2, d/2) as the reference does "
                    + "(default: off; the network does not see the step size, and with jitter the S = 1 loss stayed at the "
                    + "physics-only level in our measurement, see docs/HISTORY.md).")
    boolean jitter;

    @Option(names = "--no-augment", description = "No random flips/rotations of training fields.")
    boolean noAugment;

    @Option(
            names = "--val-size",
            description = "Fields held out from the end of train.npz for model selection "
                    + "(default: 10%% of train.npz, at most 250).")
    Integer valSize;

    @Option(
            names = "--score-factor",
            description = "score = factor x network output, recorded for sampling "
                    + "(default: 0.5, Tweedie, for smdp and heatgen; 1 = the paper's literal Eq. 2; 1 for ism and ssm-vr, "
                    + "whose network is the score).")
    Double scoreFactor;

    @Option(
            names = "--average",
            paramLabel = "DECAY",
            description =
                    "Validate and save an exponential moving "
                            + "average of the weights with this decay per step, e.g. 0.995 (default: ${DEFAULT-VALUE} = the raw weights).")
    double average = 0;

    @Option(
            names = "--clip",
            description = "Element-wise gradient clipping (default: ${DEFAULT-VALUE}, as the reference).")
    double clip = 10;

    @Option(
            names = "--graph-evals",
            paramLabel = "E",
            description = "Most network evaluations (fields x unrolled "
                    + "steps) kept in one autograd graph; longer windows are trained with gradient checkpointing (one extra "
                    + "forward pass, same result). Lower it if training runs out of memory; 0 = no limit (default: the "
                    + "problem's: heat 64, toy-sde 0).")
    Integer graphEvaluations;

    @Option(
            names = "--anchor-every",
            paramLabel = "S",
            description = "One one-step anchor term per S unrolled steps "
                    + "of the window, from the simulated noisy states (default: 4 for smdp, 0 = the paper's loss alone for "
                    + "heatgen; see docs/HISTORY.md).")
    Integer anchorEvery;

    @Option(names = "--anchor-weight", description = "Weight of the anchor terms (default: ${DEFAULT-VALUE}).")
    double anchorWeight = 1;

    @Option(
            names = "--init",
            paramLabel = "CKPT",
            description = "Start from this checkpoint's network weights "
                    + "(same architecture; fresh optimizer and schedule), e.g. to fine-tune.")
    Path init;

    @Option(names = "--resume", description = "Continue the run in --out from its last checkpoint.")
    boolean resume;

    @Option(
            names = "--checkpoint-minutes",
            description = "Also save last.ckpt this often within epochs (default: ${DEFAULT-VALUE}).")
    double checkpointMinutes = 5;

    @Option(
            names = "--time-budget",
            paramLabel = "MINUTES",
            description = "Stop (resumably) after this many minutes; 0 = no limit.")
    double budget = 0;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Override
    public Integer call() {
        Method chosen = Method.parse(method);
        DatasetSpec spec = DatasetStore.open(data).spec();
        Problem problem = spec.problem();
        if (!problem.methods().contains(chosen)) {
            throw new InvalidInputException("--method " + method + " does not apply to problem " + problem.name()
                    + "; valid: " + problem.methods().stream().map(Method::id).collect(Collectors.joining(", ")));
        }
        NetworkConfig net = problem instanceof HeatProblem ? network(chosen) : problem.defaultNetwork(chosen);
        WindowSchedule windows = WindowSchedule.parse(schedule != null ? schedule : problem.defaultSchedule(chosen));
        double decay = weightDecay != null ? weightDecay : chosen.defaultWeightDecay();
        int[] state = problem.stateShape();
        // Flips and quarter turns apply to square fields only.
        boolean augment = !noAugment && state.length == 2 && state[0] == state[1];
        int validation = valSize != null ? valSize : Math.min(250, spec.trainSize() / 10);
        try (NDManager manager = Engines.newManager(problem.engineThreads())) {
            TrainingOptions options = TrainingOptions.builder(chosen, net, windows)
                    .seed(seed)
                    .jitter(jitter)
                    .augment(augment)
                    .validationSize(validation)
                    .scoreFactor(scoreFactor != null ? scoreFactor : chosen.defaultScoreFactor())
                    .clip(clip)
                    .weightDecay(decay)
                    .anchorEvery(anchorEvery != null ? anchorEvery : chosen.defaultAnchorEvery())
                    .anchorWeight(anchorWeight)
                    .init(init == null ? null : init.toString())
                    .physics(physics)
                    .graphEvaluations(graphEvaluations != null ? graphEvaluations : problem.graphEvaluations())
                    .averageDecay(average)
                    .build();
            System.out.printf(
                    "training %s on %s: network %s (%.3g MFLOP per state), schedule %s%n",
                    method,
                    problem.name(),
                    net,
                    net.flopsPerSample(state[state.length - 1], chosen.inputChannels()) / 1e6,
                    windows);
            long start = System.nanoTime();
            TrainingRun.Result r =
                    new TrainingRun(data, out, options, resume, checkpointMinutes, budget, !quiet).run(manager);
            String time = Progress.clock((System.nanoTime() - start) / 1e9);
            if (r.complete()) {
                System.out.printf(
                        "trained in %s: %s (best validation %s %.4g), %s%n",
                        time,
                        r.best(),
                        chosen == Method.SURROGATE
                                ? "one-step relative L2 error"
                                : chosen.reverseProcess() ? "ODE " + problem.estimateMetric() : "mse",
                        r.bestValidationMse(),
                        r.last());
                Path posterior = out.resolve(TrainingRun.BEST_POSTERIOR);
                if (Files.isRegularFile(posterior)) {
                    System.out.printf(
                            "for posterior sampling (--sampler sde): %s (best validation SDE %s)%n",
                            posterior, problem.posteriorMetric());
                }
            } else {
                System.out.printf(
                        "stopped after %s at stage %d, epoch %d, step %d; last checkpoint %s%n"
                                + "continue with the same command plus --resume%n",
                        time,
                        r.position().stage() + 1,
                        r.position().epoch() + 1,
                        r.position().step(),
                        r.last());
            }
        }
        return 0;
    }

    /** The method's architecture from the options that apply to it. */
    NetworkConfig network(Method chosen) {
        if (chosen == Method.SURROGATE) {
            return new SurrogateNetConfig(maxSpan);
        }
        String architecture = chosen.oneShot() ? chosen.architecture() : "score-net";
        return switch (architecture) {
            case "fno" ->
                new FnoConfig(
                        modes,
                        width != null ? width : FnoConfig.defaults().width(),
                        layers,
                        FnoConfig.defaults().projection());
            case "unet" ->
                new UNetConfig(width != null ? width : UNetConfig.defaults().width(), levels, dropout);
            default -> scoreNet(chosen.defaultNetwork() instanceof ScoreNetConfig d ? d : ScoreNetConfig.defaults());
        };
    }

    /**
     * A score network from the options, the spectral branch's settings defaulting to the method's; an
     * explicit {@code --spectral-modes 0} switches the whole branch off.
     */
    private ScoreNetConfig scoreNet(ScoreNetConfig base) {
        int spectral = spectralModes != null ? spectralModes : base.spectralModes();
        int[] powers = spectralFieldPowers != null
                ? spectralFieldPowers
                : spectral > 0 ? base.spectralFieldPowers() : new int[0];
        boolean exclusive = spectralExclusive != null ? spectralExclusive : spectral > 0 && base.spectralExclusive();
        return new ScoreNetConfig(
                width != null ? width : base.width(), blocks, 3, dilations, activation, spectral, powers, exclusive);
    }
}
