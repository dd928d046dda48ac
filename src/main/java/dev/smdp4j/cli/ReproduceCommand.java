package dev.smdp4j.cli;

import ai.djl.ndarray.NDManager;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.pipeline.Reproduction;
import dev.smdp4j.pipeline.ReproductionProfile;
import dev.smdp4j.problem.Problems;
import dev.smdp4j.problem.ns.NavierStokesProblem;
import dev.smdp4j.problem.ns.NavierStokesReproduction;
import dev.smdp4j.problem.toy.ToyReproduction;
import dev.smdp4j.problem.toy.ToySde;
import dev.smdp4j.util.Engines;
import dev.smdp4j.util.Interruption;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code smdp reproduce}: Table 1 and Figures 2-3 of the paper in one command, resumable. */
@Command(
        name = "reproduce",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Reproduce the paper's heat benchmark: generate the data, train SMDP and every baseline, "
                    + "reconstruct the test set, evaluate, and write OUT/table1.md|csv|json, OUT/fig2.png, OUT/fig3.png "
                    + "and OUT/log.txt.",
            "With --problem toy-sde: the paper's 1-D SDE (SMDP, ISM, SSM-VR and the exact score; OUT/table.md, "
                    + "trajectories.png, histograms.png).",
            "With --problem navier-stokes-2d: SMDP through the solver (ode, sde) against the MAP estimate "
                    + "(OUT/table.md|json, vorticity.png, spectra.png).",
            "Every stage is cached under a hash of its configuration: an interrupted run continues where it "
                    + "stopped when the same command is run again, and a finished one only rewrites the report."
        })
final class ReproduceCommand implements Callable<Integer> {
    @Option(
            names = "--problem",
            paramLabel = "NAME",
            description = "heat (default: the paper's Table 1), toy-sde "
                    + "(the 1-D SDE: SMDP, ISM and SSM-VR against the exact score; OUT/table.md|csv|json, trajectories.png, "
                    + "histograms.png; --profile and --jobs do not apply) or navier-stokes-2d (SMDP against the MAP "
                    + "estimate; --profile applies, --jobs does not).")
    String problem = Problems.DEFAULT;

    @Option(
            names = "--profile",
            description = "quick (small data and networks, a few minutes) or paper (the paper's "
                    + "protocol with every method's defaults) (default: ${DEFAULT-VALUE}).")
    String profile = "quick";

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory.")
    Path out;

    @Option(
            names = "--jobs",
            paramLabel = "N",
            description = "Trainings run at once, each in a child process with "
                    + "its share of the cores as engine threads; 1 runs them one after another in this process "
                    + "(default: 2 on two or more cores, else 1). Side by side, two trainings of one engine thread each "
                    + "get through about twice the work of one with two threads (docs/BENCHMARKS.md).")
    Integer jobs;

    @Option(
            names = "--learned-physics",
            negatable = true,
            description = "Also train the surrogate physics and "
                    + "SMDP with it (the two 'learned physics' rows, not in the paper's table); default: on in quick, off in "
                    + "paper, where it adds about 28 minutes (measured, run after the rest).")
    Boolean learnedPhysics;

    @Option(
            names = "--train-only",
            hidden = true,
            paramLabel = "LABEL",
            description = "Internal: run only this training (what each child process of --jobs does).")
    String trainOnly;

    @Option(
            names = "--seed",
            paramLabel = "S",
            description =
                    "Seed of the trainings and samplers (network "
                            + "initialisation, batches, noise); the data set is always the profile's own (default: the data's seed, 0).")
    Long seed;

    @Option(names = "--quiet", description = "No progress output.")
    boolean quiet;

    @Override
    public Integer call() {
        if (!problem.equals(Problems.DEFAULT)) {
            return reproduceToy();
        }
        ReproductionProfile chosen = ReproductionProfile.named(profile);
        if (learnedPhysics != null) {
            chosen = chosen.withLearnedPhysics(learnedPhysics);
        }
        if (seed != null) {
            chosen = chosen.withSeed(seed);
        }
        int n = jobs != null ? jobs : Runtime.getRuntime().availableProcessors() >= 2 ? 2 : 1;
        long start = System.nanoTime();
        if (trainOnly != null) {
            try (NDManager manager = Engines.newManager()) {
                new Reproduction(out, chosen, !quiet, 1, Main.class.getName()).trainOnly(manager, trainOnly);
            } catch (Reproduction.Interrupted stopped) {
                return Reproduction.EXIT_STOPPED;
            }
            return 0;
        }
        try (NDManager manager = Engines.newManager();
                Interruption.Notice notice = Interruption.notice("completed stages in " + out
                        + " are kept (every file is written atomically); run the same command again to continue")) {
            new Reproduction(out, chosen, !quiet, n, Main.class.getName()).run(manager);
        } catch (Reproduction.Interrupted stopped) {
            System.err.println("stopped: " + stopped.getMessage());
            return Reproduction.EXIT_STOPPED;
        }
        System.out.printf(
                "wrote %s/table1.md, table1.csv, table1.json, fig2.png, fig3.png, log.txt in %.1f s%n",
                out, (System.nanoTime() - start) / 1e9);
        return 0;
    }

    private int reproduceToy() {
        Problems.get(problem); // an unknown name fails with the list of valid ones
        if (!problem.equals(ToySde.NAME) && !problem.equals(NavierStokesProblem.NAME)) {
            throw new InvalidInputException("smdp reproduce has no protocol for problem " + problem
                    + "; valid: heat, toy-sde, " + NavierStokesProblem.NAME);
        }
        if (trainOnly != null || jobs != null || learnedPhysics != null) {
            throw new InvalidInputException("--jobs, --learned-physics and --train-only apply to --problem heat only");
        }
        if (problem.equals(NavierStokesProblem.NAME)) {
            return reproduceNavierStokes();
        }
        long start = System.nanoTime();
        try (NDManager manager = Engines.newManager(ToySde.paper().engineThreads());
                Interruption.Notice notice = Interruption.notice(
                        "completed stages in " + out + " are kept; run the same command again to continue")) {
            new ToyReproduction(out, seed != null ? seed : 0, !quiet).run(manager);
        }
        System.out.printf(
                "wrote %s/table.md, table.csv, table.json, trajectories.png, histograms.png, log.txt in %.1f s%n",
                out, (System.nanoTime() - start) / 1e9);
        return 0;
    }

    private int reproduceNavierStokes() {
        NavierStokesReproduction.Profile chosen = NavierStokesReproduction.Profile.named(profile);
        long start = System.nanoTime();
        try (NDManager manager = Engines.newManager();
                Interruption.Notice notice = Interruption.notice(
                        "completed stages in " + out + " are kept; run the same command again to continue")) {
            new NavierStokesReproduction(out, chosen, seed != null ? seed : 0, !quiet).run(manager);
        }
        System.out.printf(
                "wrote %s/table.md, table.json, vorticity.png, spectra.png, log.txt in %.1f s%n",
                out, (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
