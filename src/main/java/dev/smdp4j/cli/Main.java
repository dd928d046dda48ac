package dev.smdp4j.cli;

import ai.djl.engine.EngineException;
import dev.smdp4j.Version;
import dev.smdp4j.io.InvalidInputException;
import dev.smdp4j.util.Engines;
import java.io.UncheckedIOException;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code smdp} command line. */
@Command(
        name = "smdp",
        mixinStandardHelpOptions = true,
        versionProvider = Main.VersionProvider.class,
        description = "Score matching via differentiable physics: invert the heat equation from an observed end state.",
        subcommands = {
            GenerateCommand.class,
            ImportCommand.class,
            TrainCommand.class,
            SampleCommand.class,
            SampleBatchCommand.class,
            ExportNpzCommand.class,
            EvaluateCommand.class,
            ReproduceCommand.class,
            DemoCommand.class,
            BenchCommand.class,
            SimulateCommand.class,
            CommandLine.HelpCommand.class
        })
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
            String memory = outOfMemory(e, commandLine.getCommandName());
            if (memory != null) {
                commandLine.getErr().println("error: " + memory);
                return EXIT_BAD_INPUT;
            }
            if (e instanceof UncheckedIOException io) {
                commandLine.getErr().println("error: " + io.getMessage());
                return EXIT_BAD_INPUT;
            }
            throw e;
        });
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            // picocli passes only Exceptions to the handler above
            System.err.println("error: " + outOfMemory(e, args.length > 0 ? args[0] : "smdp"));
            return EXIT_BAD_INPUT;
        }
    }

    /**
     * A one-line message naming the option to lower when {@code e} is an allocation failure (Java
     * heap or libtorch's native allocator), otherwise null.
     */
    static String outOfMemory(Throwable e, String command) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String text = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            boolean heap = t instanceof OutOfMemoryError;
            boolean nativeAlloc = t instanceof EngineException
                    && (text.contains("can't allocate memory")
                            || text.contains("out of memory")
                            || text.contains("failed to allocate"));
            if (heap || nativeAlloc) {
                String lower = switch (command) {
                    case "train" ->
                        "--graph-evals (network evaluations per autograd graph), the batch size in "
                                + "--schedule (window:epochs:BATCH:lrStart:lrEnd) or --width";
                    case "sample", "demo" -> "--batch (items per engine batch) or --samples";
                    case "generate" -> "--train/--test (fields held in memory) or --grid";
                    case "reproduce" -> "the profile (--profile quick)";
                    default -> "the batch or problem size";
                };
                return "out of " + (heap ? "Java heap" : "native (libtorch) memory") + " in '" + command + "': lower "
                        + lower + (heap ? ", or raise the heap with SMDP_JAVA_OPTS=-Xmx..." : "")
                        + "; files written so far are complete (every write is atomic)";
            }
        }
        return null;
    }

    /** Reports the library version. */
    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {Version.label() + " (commit " + Version.commit() + ")"};
        }
    }
}
