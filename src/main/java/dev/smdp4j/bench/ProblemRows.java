package dev.smdp4j.bench;

import static dev.smdp4j.bench.Timing.peakRss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.smdp4j.bench.SpeedSuite.Row;
import dev.smdp4j.data.Dataset;
import dev.smdp4j.data.DatasetGenerator;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.Checkpoint;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.pipeline.Pretrained;
import dev.smdp4j.sde.Diffusion;
import dev.smdp4j.sde.Sde;
import dev.smdp4j.sde.TimeGrid;
import dev.smdp4j.train.Method;
import dev.smdp4j.train.SmdpModel;
import dev.smdp4j.train.TrainableModel;
import dev.smdp4j.train.TrainingOptions;
import dev.smdp4j.train.WindowSchedule;
import dev.smdp4j.util.GaussianNoise;
import dev.smdp4j.util.Shapes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The rows of {@link SpeedSuite#runProblem}: a problem other than heat, from its defaults. */
final class ProblemRows {
    private final SpeedSuite suite;

    ProblemRows(SpeedSuite suite) {
        this.suite = suite;
    }

    /** The rows {@link SpeedSuite#runProblem} describes. */
    List<Row> run(NDManager parent, DatasetSpec protocol, List<String> groups) {
        SpeedSuite.Options options = suite.options();
        List<Row> rows = new ArrayList<>();
        int[] state = protocol.problem().stateShape();
        try (NDManager manager = parent.newSubManager()) {
            DatasetSpec spec = new DatasetSpec(
                    protocol.problem(),
                    (options.repeats() + 3) * options.trainBatch(),
                    Arrays.stream(options.samplingBatches()).max().orElse(1),
                    protocol.endTime(),
                    protocol.steps(),
                    protocol.diffusion(),
                    protocol.observationNoise(),
                    protocol.seed());
            Dataset data = DatasetGenerator.generate(manager, spec, false);
            TrainingOptions defaults = TrainingOptions.defaults(Method.SMDP, spec, 0);
            SmdpModel model = shippedOrFresh(manager, spec, data.normalisation(), defaults);
            Normalisation norm = model.normalisation(); // a shipped model's own
            String t = String.valueOf(spec.endTime() / 2);
            if (groups.contains("network")) {
                for (int b : options.batches()) {
                    NDArray x = new GaussianNoise(b).next(manager, Shapes.batch(b, state));
                    for (boolean backward : new boolean[] {false, true}) {
                        double sec = suite.time(() -> Timing.pass(manager, model, x, backward, spec.endTime() / 2));
                        String name = (backward ? "forward+backward" : "forward") + ", batch " + b + ", t = " + t;
                        rows.add(suite.add(
                                new Row("network", name, sec * 1e3, b / sec, "evals/s", Double.NaN, peakRss())));
                    }
                }
            }
            Sde sde = new Sde(spec.problem().physics(manager, norm), Diffusion.constant(spec.diffusion()));
            if (groups.contains("training")) {
                HostArray train = data.trainX0().normalised(norm.mean(), norm.std());
                for (int window : options.windows()) {
                    int b = options.trainBatch();
                    TrainingOptions to = defaults.withSchedule(WindowSchedule.parse(window + ":1:" + b + ":1e-5:1e-5"));
                    int steps = Math.max(2, Math.min(options.repeats(), (int) Math.ceil(64.0 / window)));
                    double sec = Timing.trainingStepSeconds(manager, model, sde, to, train, steps);
                    rows.add(suite.add(new Row(
                            "training",
                            String.format("window %d, batch %d", window, b),
                            sec * 1e3,
                            1 / sec,
                            "steps/s",
                            Double.NaN,
                            peakRss())));
                }
            }
            if (groups.contains("sampling")) {
                HostArray y = data.testY().normalised(norm.mean(), norm.std());
                TimeGrid grid = TimeGrid.uniform(spec.endTime(), spec.steps());
                for (String sampler : new String[] {"ode", "sde"}) {
                    for (int k : options.samplingBatches()) {
                        HostArray obs = y.rows(0, Math.min(k, y.dim(0)));
                        int n = obs.dim(0);
                        double sec = suite.timeSampling(
                                manager, obs, 1, sampler, model.reverseSde(sde), model.score(), grid, n);
                        rows.add(suite.add(new Row(
                                "sampling",
                                String.format("%s, %d steps, %d observations per batch", sampler, spec.steps(), n),
                                sec * 1e3,
                                n / sec,
                                "samples/s",
                                Double.NaN,
                                peakRss())));
                    }
                }
            }
        }
        return rows;
    }

    /**
     * The problem's shipped SMDP estimate model if it has one (so that sampling follows trained
     * dynamics: an untrained score lets the toy SDE's reverse paths diverge), else a fresh network
     * of its default architecture.
     */
    private static SmdpModel shippedOrFresh(
            NDManager manager, DatasetSpec spec, Normalisation norm, TrainingOptions defaults) {
        String name = spec.problem().name();
        try {
            Path shipped = Pretrained.checkpoint(name, Pretrained.Use.ESTIMATE);
            if (TrainableModel.load(manager, Checkpoint.read(shipped)) instanceof SmdpModel m) {
                return m;
            }
        } catch (InvalidInputException e) {
            // none shipped: a fresh network
        }
        return SmdpModel.create(
                manager,
                Method.SMDP,
                defaults.network(),
                spec,
                norm,
                defaults.scoreFactor(),
                1,
                TrainingOptions.SPECTRAL);
    }
}
