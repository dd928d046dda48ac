package dev.smdp4j.cli;

import ai.djl.ndarray.NDManager;
import dev.smdp4j.pipeline.Reproduction;
import dev.smdp4j.pipeline.ReproductionProfile;
import dev.smdp4j.util.Engines;
import dev.smdp4j.util.Interruption;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code smdp reproduce}: Table 1 and Figures 2-3 of the paper in one command, resumable. */
@Command(name = "reproduce", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Reproduce the paper's heat benchmark: generate the data, train SMDP and every baseline, "
                + "reconstruct the test set, evaluate, and write OUT/table1.md|csv|json, OUT/fig2.png, OUT/fig3.png "
                + "and OUT/log.txt.",
                "Every stage is cached under a hash of its configuration: an interrupted run continues where it "
                        + "stopped when the same command is run again, and a finished one only rewrites the report."})
final class ReproduceCommand implements Callable<Integer> {
    @Option(names = "--profile", description = "quick (small data and networks, a few minutes) or paper (the paper's "
            + "protocol with every method's defaults) (default: ${DEFAULT-VALUE}).")
    String profile = "quick";

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
    Path out;

    @Option(names = "--quiet", description = "No progress output.")
    boolean quiet;

    @Override
    public Integer call() {
        ReproductionProfile chosen = ReproductionProfile.named(profile);
        long start = System.nanoTime();
        try (NDManager manager = Engines.newManager();
                Interruption.Notice notice = Interruption.notice("completed stages in " + out
                        + " are kept (every file is written atomically); run the same command again to continue")) {
            new Reproduction(out, chosen, !quiet).run(manager);
        } catch (Reproduction.Interrupted stopped) {
            System.err.println("stopped: " + stopped.getMessage());
            return 3;
        }
        System.out.printf("wrote %s/table1.md, table1.csv, table1.json, fig2.png, fig3.png, log.txt in %.1f s%n", out,
                (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
