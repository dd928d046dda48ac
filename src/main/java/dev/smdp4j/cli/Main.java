package dev.smdp4j.cli;

import dev.smdp4j.Version;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.util.Engines;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code smdp} command line. */
@Command(name = "smdp", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Score matching via differentiable physics: invert the heat equation from an observed end state.",
        subcommands = {GenerateCommand.class, TrainCommand.class, SampleCommand.class, EvaluateCommand.class,
                ReproduceCommand.class, DemoCommand.class, BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    static {
        Engines.configureOffline();
    }

    /** Exit code for bad input or parameters. */
    public static final int EXIT_BAD_INPUT = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code (for tests). */
    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof InvalidInputException || e instanceof IllegalArgumentException) {
                commandLine.getErr().println("error: " + e.getMessage());
                return EXIT_BAD_INPUT;
            }
            throw e;
        });
        return cli.execute(args);
    }

    /** Reports the library version. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"smdp4j " + Version.get()};
        }
    }
}
