package dev.smdp4j.cli;

import dev.smdp4j.data.Dataset;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.DatasetStore;
import dev.smdp4j.data.FieldChecks;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.io.Npz;
import dev.smdp4j.problem.Problem;
import dev.smdp4j.problem.Problems;
import dev.smdp4j.util.GaussianNoise;
import dev.smdp4j.util.Hashing;
import dev.smdp4j.util.Seeds;
import dev.smdp4j.util.Shapes;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code smdp import}: a data set from the user's own trajectories of a named problem's physics. */
@Command(
        name = "import",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Make a data set from your own noisy trajectories (key traj, float32 [n, M+1, ...state], "
                    + "physical units, on a uniform grid from 0 to T) of a registered problem's physics.",
            "The last --test trajectories become the test set (x0 = first state, y = last state, plus --obs-noise); "
                    + "training takes its windows from the others as stored, instead of simulating."
        })
final class ImportCommand implements Callable<Integer> {
    @Option(names = "--traj", required = true, paramLabel = "FILE", description = "The trajectories (.npz).")
    Path traj;

    @Option(names = "--key", description = "Key of the trajectories in --traj (default: ${DEFAULT-VALUE}).")
    String key = "traj";

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
    Path out;

    @Option(
            names = "--problem",
            paramLabel = "NAME",
            description =
                    "The physics the trajectories follow " + "(default: ${DEFAULT-VALUE}); its parameters with --set.")
    String problemName = Problems.DEFAULT;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A parameter of the problem (repeatable).")
    Map<String, Double> parameters = new LinkedHashMap<>();

    @Option(names = "--end-time", paramLabel = "T", required = true, description = "Time of the last stored state.")
    double endTime;

    @Option(
            names = "--diffusion",
            paramLabel = "G",
            required = true,
            description =
                    "Diffusion g of the noise " + "in the trajectories, normalised units (the reverse SDE needs it).")
    double diffusion;

    @Option(
            names = "--obs-noise",
            paramLabel = "S",
            description = "Observation noise added to the test end "
                    + "states, normalised units (default: ${DEFAULT-VALUE}: the end states are the observations).")
    double observationNoise = 0;

    @Option(names = "--test", paramLabel = "N", description = "Trajectories held out as the test set (default: 10%%).")
    Integer test;

    @Option(
            names = "--seed",
            description =
                    "Seed of the observation noise and of later trainings' defaults " + "(default: ${DEFAULT-VALUE}).")
    long seed = 0;

    @Option(names = "--force", description = "Overwrite an existing data set in DIR.")
    boolean force;

    @Override
    public Integer call() {
        if (!DatasetStore.isEmptyOrAbsent(out) && !force && !DatasetStore.isIncomplete(out)) {
            throw new InvalidInputException(
                    out + " already exists and is not empty; choose another --out or add --force");
        }
        Problem problem = Problems.withParameters(problemName, parameters);
        HostArray all = Npz.read(traj, key);
        int[] state = problem.stateShape();
        if (all.rank() != state.length + 2 || all.dim(1) < 2) {
            throw new InvalidInputException(traj + " key '" + key + "': expected trajectories [n, M+1, "
                    + Arrays.toString(state).replaceAll("[\\[\\]]", "") + "] with M >= 1, got " + all.shapeString());
        }
        int times = all.dim(1);
        FieldChecks.requireStates(all, traj + " key '" + key + "'", -1, Shapes.prepend(times, state));
        int n = all.dim(0);
        int testSize = test != null ? test : Math.max(1, n / 10);
        if (testSize < 1 || n - testSize < 2) {
            throw new InvalidInputException("--test " + testSize + " leaves " + (n - testSize) + " of " + n
                    + " trajectories for training; need at least 2");
        }
        DatasetSpec spec = new DatasetSpec(
                        problem, n - testSize, testSize, endTime, times - 1, diffusion, observationNoise, seed)
                .validateForData();
        HostArray trainTraj = all.rows(0, n - testSize);
        HostArray testTraj = all.rows(n - testSize, n);
        HostArray trainX0 = trainTraj.sliceSecondAxis(0);
        Normalisation norm = problem.normalisation(trainX0);
        HostArray testY = testTraj.sliceSecondAxis(times - 1);
        if (observationNoise > 0) {
            float[] e = new GaussianNoise(Seeds.derive(seed, "observation")).next(testY.size());
            float[] y = testY.data().clone();
            for (int i = 0; i < y.length; i++) {
                y[i] += (float) (observationNoise * norm.std() * e[i]);
            }
            testY = new HostArray(y, testY.shape());
        }
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("file", traj.toAbsolutePath().toString());
        source.put("key", key);
        source.put("sha256", Hashing.sha256(traj));
        DatasetStore.write(
                out, new Dataset(spec, norm, trainX0, testTraj.sliceSecondAxis(0), testY, trainTraj), source);
        System.out.printf(
                "wrote %s: %s, %d training and %d test trajectories of %d states %s, T = %s%n",
                out, problem.name(), n - testSize, testSize, times, Arrays.toString(state), endTime);
        return 0;
    }
}
