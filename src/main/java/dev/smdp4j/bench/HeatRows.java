package dev.smdp4j.bench;

import static dev.smdp4j.bench.Timing.peakRss;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.smdp4j.bench.SpeedSuite.Options;
import dev.smdp4j.bench.SpeedSuite.Row;
import dev.smdp4j.data.Dataset;
import dev.smdp4j.data.DatasetGenerator;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.nn.ScoreNetConfig;
import dev.smdp4j.physics.HeatEquation;
import dev.smdp4j.score.ExactNet;
import dev.smdp4j.sde.Diffusion;
import dev.smdp4j.sde.ForwardSimulation;
import dev.smdp4j.sde.Sde;
import dev.smdp4j.sde.TimeGrid;
import dev.smdp4j.train.Adam;
import dev.smdp4j.train.Method;
import dev.smdp4j.train.SmdpModel;
import dev.smdp4j.train.TrainingOptions;
import dev.smdp4j.train.UnrolledOdeObjective;
import dev.smdp4j.train.WindowSchedule;
import dev.smdp4j.util.EngineArrays;
import dev.smdp4j.util.GaussianNoise;
import java.nio.file.Path;
import java.util.List;

/**
 * The rows of {@link SpeedSuite#run} after the matrix-multiply peak: the heat benchmark's physics,
 * score network, training and sampling, with FLOP counts from the dense heat step and the network's
 * architecture, on a freshly initialised network of the options' architecture or on the checkpoint
 * given by {@code model} (whose network, grid and time grid then replace the options').
 */
final class HeatRows {
    private final SpeedSuite suite;
    private Options options;

    HeatRows(SpeedSuite suite) {
        this.suite = suite;
        this.options = suite.options();
    }

    /** The architecture timed: the options', replaced by the checkpoint's once {@link #run} loaded one. */
    ScoreNetConfig network() {
        return options.network();
    }

    /** Adds the rows of the groups named in {@code groups} to {@code rows}. */
    void run(NDManager manager, List<String> groups, List<Row> rows) {
        if (groups.contains("physics")) {
            physics(manager, rows);
        }
        SmdpModel model = options.model() == null ? null : loadModel(manager, options.model());
        DatasetSpec spec = model == null
                ? DatasetSpec.heat(256, 1, options.grid(), 4, 1, 0.2, options.samplingSteps(), 0.1, 0.01, 0)
                : DatasetSpec.heat(
                        256,
                        1,
                        options.grid(),
                        model.spec().exponent(),
                        model.spec().alpha(),
                        model.spec().endTime(),
                        model.spec().steps(),
                        model.spec().diffusion(),
                        0.01,
                        0);
        Dataset data = DatasetGenerator.generate(manager, spec, false);
        Normalisation norm = model == null ? data.normalisation() : model.normalisation();
        if (model == null) {
            model = SmdpModel.create(manager, options.network(), spec, norm, 0.5, 1);
        }
        warmUp(manager, model);
        if (groups.contains("network")) {
            network(manager, model, rows);
        }
        if (groups.contains("training")) {
            training(manager, model, spec, norm, data.trainX0().normalised(norm.mean(), norm.std()), rows);
        }
        if (groups.contains("sampling")) {
            sampling(manager, model, spec, data.testY().normalised(norm.mean(), norm.std()), rows);
        }
    }

    /**
     * An SMDP score-network checkpoint of the heat benchmark, its network and grid replacing the
     * options' (so that the network, training and sampling rows time the checkpoint's model).
     */
    private SmdpModel loadModel(NDManager manager, Path checkpoint) {
        SmdpModel loaded = SmdpModel.load(manager, Checkpoint.read(checkpoint));
        if (!(loaded.architecture() instanceof ScoreNetConfig net)
                || loaded.method() != Method.SMDP
                || !loaded.spec().problem().name().equals("heat")) {
            throw new InvalidInputException(checkpoint
                    + ": bench --model needs an SMDP score-net checkpoint of the heat " + "problem, got method "
                    + loaded.method().id() + " on " + loaded.spec().problem().name());
        }
        options = new Options(
                net,
                loaded.spec().gridSize(),
                options.batches(),
                options.windows(),
                options.trainBatch(),
                options.samplingBatches(),
                loaded.spec().steps(),
                options.repeats(),
                options.graphEvaluations(),
                options.anchorEvery(),
                checkpoint,
                options.warmUpSeconds());
        return loaded;
    }

    private void physics(NDManager manager, List<Row> rows) {
        int b = options.trainBatch();
        int n = options.grid();
        double flops = 2 * 2.0 * n * n * n * b; // dense scheme: A x A^T, two n x n products per field
        for (PhysicsBenchmark.Row r : new PhysicsBenchmark(b, n, 200, options.repeats()).run(manager)) {
            if (r.name().startsWith("heat step dense")) {
                double s = r.microsPerCall() / 1e6;
                boolean backward = r.name().contains("backward");
                rows.add(suite.add(new Row(
                        "physics",
                        "heat step, batch " + b + (backward ? ", forward+backward" : ", forward"),
                        s * 1e3,
                        b / s,
                        "fields/s",
                        (backward ? 3 : 1) * flops / s / 1e9,
                        peakRss())));
            }
        }
    }

    private void network(NDManager manager, SmdpModel model, List<Row> rows) {
        int n = options.grid();
        double flops = options.network().flopsPerSample(n, SmdpModel.IN_CHANNELS);
        for (int b : options.batches()) {
            double fwd = netSeconds(manager, model, b, false);
            rows.add(suite.add(new Row(
                    "network",
                    "forward, batch " + b,
                    fwd * 1e3,
                    b / fwd,
                    "evals/s",
                    flops * b / fwd / 1e9,
                    peakRss())));
            double both = netSeconds(manager, model, b, true);
            rows.add(suite.add(new Row(
                    "network",
                    "forward+backward, batch " + b,
                    both * 1e3,
                    b / both,
                    "evals/s",
                    3 * flops * b / both / 1e9,
                    peakRss())));
        }
    }

    /**
     * Training steps of the real loop at each window; the first step of a window is warm-up.
     * "Outside the network" is measured from its parts, not as the step minus the network (the
     * difference of two noisy times, which swung between 1% and 71% across runs): the same
     * objective with the closed-form exact-net in the network's place (the same draws, trajectory
     * states, physics steps and loss; the closed form's own two FFTs per step are counted too, so
     * this errs high), plus the Adam update, plus one heat step forward+backward per unrolled step
     * for the backward pass through the physics (its forward is already in the first part: errs
     * high again), divided by the real step's time.
     */
    private void training(
            NDManager manager, SmdpModel model, DatasetSpec spec, Normalisation norm, HostArray train, List<Row> rows) {
        int n = options.grid();
        int b = options.trainBatch();
        double flops = options.network().flopsPerSample(n, SmdpModel.IN_CHANNELS);
        try (HeatEquation heat = new HeatEquation(manager, spec.alpha());
                ExactNet free = new ExactNet(manager, spec, norm)) {
            Sde sde = new Sde(heat, Diffusion.constant(spec.diffusion()));
            TimeGrid grid = TimeGrid.uniform(spec.endTime(), spec.steps());
            NDArray x0 = EngineArrays.of(manager, train.rows(0, b).data(), new Shape(b, n, n));
            GaussianNoise noise = new GaussianNoise(5);
            double simulation = suite.time(() -> {
                try (NDManager step = manager.newSubManager()) {
                    x0.tempAttach(step);
                    ForwardSimulation.trajectory(sde, grid, x0, noise);
                }
            });
            rows.add(suite.add(new Row(
                    "training",
                    "part: trajectory simulation, batch " + b + ", " + spec.steps() + " steps",
                    simulation * 1e3,
                    b / simulation,
                    "trajectories/s",
                    Double.NaN,
                    peakRss())));
            double marginal = suite.time(() -> {
                try (NDManager step = manager.newSubManager()) {
                    x0.tempAttach(step);
                    ForwardSimulation.marginal(sde, grid, x0, noise, spec.steps() / 2);
                }
            });
            rows.add(suite.add(new Row(
                    "training",
                    "part: closed-form marginal draw of a window start, batch " + b,
                    marginal * 1e3,
                    b / marginal,
                    "states/s",
                    Double.NaN,
                    peakRss())));
            double update;
            try (Adam adam = Adam.builder().build(model.block())) {
                update = suite.time(() -> adam.step(1e-9));
                rows.add(suite.add(new Row(
                        "training",
                        "part: Adam update (" + model.block().getParameters().size() + " parameter tensors)",
                        update * 1e3,
                        1 / update,
                        "updates/s",
                        Double.NaN,
                        peakRss())));
            }
            double heatBackward = suite.time(() -> {
                try (NDManager step = manager.newSubManager();
                        GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    NDArray x = x0.duplicate();
                    x.attach(step);
                    x.setRequiresGradient(true);
                    gc.backward(heat.advance(x, spec.endTime() / spec.steps()).sum());
                }
            });
            for (int window : options.windows()) {
                TrainingOptions to = new TrainingOptions(
                        Method.SMDP,
                        options.network(),
                        WindowSchedule.parse(window + ":1:" + b + ":1e-5:1e-5"),
                        1,
                        false,
                        false,
                        0,
                        0.5,
                        10,
                        0,
                        options.anchorEvery(),
                        1,
                        null,
                        TrainingOptions.SPECTRAL,
                        options.graphEvaluations(),
                        0);
                int anchors = options.anchorEvery() > 0 ? window / options.anchorEvery() : 0;
                double evals = (double) b * (window + anchors);
                int steps = Math.max(2, Math.min(options.repeats(), (int) Math.ceil(64.0 / window)));
                double s = Timing.trainingStepSeconds(manager, model, sde, to, train, steps);
                UnrolledOdeObjective networkFree = new UnrolledOdeObjective(
                        sde, sde, free, spec.endTime(), spec.steps(), false, options.anchorEvery(), 1, 0);
                double withoutNetwork = suite.time(
                        () -> {
                            try (NDManager step = manager.newSubManager()) {
                                x0.tempAttach(step);
                                networkFree.loss(x0, window, noise);
                            }
                        },
                        steps);
                double outside = Math.min(1, (withoutNetwork + update + (window + anchors) * heatBackward) / s);
                int segment = UnrolledOdeObjective.segmentLength(options.graphEvaluations(), b, window, anchors);
                double recomputed = segment == 0 ? 0 : (double) b * ((window - 1) / segment) * segment;
                rows.add(suite.add(new Row(
                        "training",
                        String.format(
                                "window %d, batch %d: %d evals/step%s, %.0f%% outside network",
                                window,
                                b,
                                (int) evals,
                                recomputed > 0 ? " + " + (int) recomputed + " recomputed" : "",
                                100 * outside),
                        s * 1e3,
                        evals / s,
                        "evals/s",
                        3 * flops * evals / s / 1e9,
                        peakRss())));
            }
        }
    }

    /**
     * Network passes at batch 1 for three times the warm-up before anything is timed: the JIT
     * compiler's threads otherwise share this machine's two cores with the engine's during the
     * first rows (a batch-1 forward measured 19 ms in the first half second and 6 ms after).
     */
    private void warmUp(NDManager manager, SmdpModel model) {
        NDArray x = new GaussianNoise(1).next(manager, new Shape(1, options.grid(), options.grid()));
        long start = System.nanoTime();
        while (System.nanoTime() - start < 3e9 * options.warmUpSeconds()) {
            Timing.pass(manager, model, x, false, 0.1);
            Timing.pass(manager, model, x, true, 0.1);
        }
    }

    /** Seconds per network forward (or forward+backward) pass at batch {@code b}. */
    private double netSeconds(NDManager manager, SmdpModel model, int b, boolean backward) {
        NDArray x = new GaussianNoise(b).next(manager, new Shape(b, options.grid(), options.grid()));
        return suite.time(() -> Timing.pass(manager, model, x, backward, 0.1));
    }

    private void sampling(NDManager manager, SmdpModel model, DatasetSpec spec, HostArray y, List<Row> rows) {
        double flops = options.network().flopsPerSample(options.grid(), SmdpModel.IN_CHANNELS);
        int m = options.samplingSteps();
        try (HeatEquation heat = new HeatEquation(manager, spec.alpha())) {
            Sde sde = new Sde(heat, Diffusion.constant(spec.diffusion()));
            TimeGrid grid = TimeGrid.uniform(spec.endTime(), m);
            for (String sampler : new String[] {"ode", "sde"}) {
                for (int k : options.samplingBatches()) {
                    HostArray one = y.rows(0, 1);
                    double s = suite.timeSampling(manager, one, k, sampler, sde, model.score(), grid, k);
                    rows.add(suite.add(new Row(
                            "sampling",
                            String.format("%s, %d steps, %d samples per batch", sampler, m, k),
                            s * 1e3,
                            k / s,
                            "samples/s",
                            flops * k * m / s / 1e9,
                            peakRss())));
                }
            }
        }
    }
}
