package dev.smdp4j.cli;

import ai.djl.ndarray.NDManager;
import dev.smdp4j.data.DatasetSpec;
import dev.smdp4j.data.DatasetStore;
import dev.smdp4j.data.FieldChecks;
import dev.smdp4j.data.Normalisation;
import dev.smdp4j.io.HostArray;
import dev.smdp4j.io.Npz;
import dev.smdp4j.util.Engines;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code smdp simulate}: the data set's physics run forward without noise, for users who want the forward map. */
@Command(
        name = "simulate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Run a data set's physics forward without noise: x(T) from x(0) in the data set's M steps of "
                    + "T/M, physical units in and out (OUT key xT, the input's shape)."
        })
final class SimulateCommand implements Callable<Integer> {
    @Option(
            names = "--data",
            required = true,
            paramLabel = "DIR",
            description = "Data set directory (dataset.json "
                    + "gives the problem, its parameters, T, M and the normalisation).")
    Path data;

    @Option(
            names = "--input",
            required = true,
            paramLabel = "FILE",
            description = "Initial states (.npz), " + "[n, ...state].")
    Path input;

    @Option(
            names = "--key",
            paramLabel = "KEY",
            description = "Key of the initial states in --input " + "(default: ${DEFAULT-VALUE}).")
    String key = "x0";

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output (.npz, key xT).")
    Path out;

    @Option(names = "--force", description = "Overwrite an existing --out.")
    boolean force;

    @Override
    public Integer call() {
        SampleCommand.refuseExisting(out, force);
        DatasetStore store = DatasetStore.open(data);
        DatasetSpec spec = store.spec();
        int[] state = spec.problem().stateShape();
        String what = input + " key '" + key + "'";
        HostArray x0 = FieldChecks.requireStates(Npz.read(input, key), what, -1, state);
        FieldChecks.requireFinite(x0, what);
        Normalisation norm = store.normalisation();
        HostArray xT;
        try (NDManager manager = Engines.newManager(spec.problem().engineThreads())) {
            xT = norm.denormalise(spec.problem().simulate(manager, norm.normalise(x0), spec, norm));
        }
        FieldChecks.requireFinite(xT, "the simulated end states (the physics left finite values)");
        Npz.write(out, Map.of("xT", xT));
        System.out.printf(
                "%s: %d states through %s, %d steps of %.6g -> %s (key xT)%n",
                data, x0.dim(0), spec.problem().name(), spec.steps(), spec.endTime() / spec.steps(), out);
        return 0;
    }
}
