package org.m3vit.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code m3vit} command line. */
@Command(
        name = "m3vit",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Multi-task sparse Mixture-of-Experts vision transformers on the JVM.",
        subcommands = {
            DemoCommand.class,
            SynthCommand.class,
            TrainCommand.class,
            GeneralistCommand.class,
            EvalCommand.class,
            ScoreCommand.class,
            ReportCommand.class,
            BenchCommand.class,
            PredictCommand.class,
            PackCommand.class,
            ExtractCommand.class,
            FlopsCommand.class,
            SimulateCommand.class,
            InitWeightsCommand.class,
            ImportTimmCommand.class,
            ServeCommand.class,
            LoadtestCommand.class,
            SparkCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code (used by tests instead of {@link #main}). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(new CliErrors());
        cli.setParameterExceptionHandler(CliErrors.parameterHandler());
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError | StackOverflowError e) {
            // The limits (docs/reliability.md) should have refused the input first; never a raw trace.
            CliErrors.print(
                    cli.getErr(),
                    args.length > 0 ? args[0] : "m3vit",
                    (e instanceof OutOfMemoryError ? "out of memory" : "input nested too deeply") + " ("
                            + e.getClass().getSimpleName() + "); the input exceeds what this machine can hold",
                    e);
            return CliErrors.FAILURE;
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"m3vit " + (v == null ? "dev" : v)};
        }
    }
}
