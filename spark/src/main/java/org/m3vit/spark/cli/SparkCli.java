package org.m3vit.spark.cli;

import java.io.PrintWriter;
import org.m3vit.cli.CliErrors;
import org.m3vit.spark.ExecutorPredictors;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code m3vit spark …}: bin/m3vit runs this class (with Spark on the classpath) for every command line
 * that starts with {@code spark}; spark-submit runs it as the application's main class.
 */
@Command(
        name = "m3vit spark",
        mixinStandardHelpOptions = true,
        description = "m3vit on Apache Spark: batch inference and evaluation in partitions, embedded (local[*]) by"
                + " default, or on a cluster with --master spark://… or under spark-submit. See docs/spark.md.",
        subcommands = {
            SparkPredictCommand.class,
            SparkEvalCommand.class,
            SparkBenchCommand.class,
            CommandLine.HelpCommand.class
        })
public final class SparkCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int code;
        try {
            code = run(args);
        } finally {
            ExecutorPredictors.closeAll();
        }
        System.exit(code);
    }

    /** Runs the command and returns its exit code (tests call this instead of {@link #main}). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new SparkCli());
        cli.setExecutionExceptionHandler(SparkCli::handle);
        cli.setParameterExceptionHandler(CliErrors.parameterHandler());
        return cli.execute(args);
    }

    /**
     * One line, exit 2 for bad input, as the core CLI does; a task's error reaches the driver wrapped in
     * Spark's job failure, so the cause chain is searched for the input error first.
     */
    private static int handle(Exception ex, CommandLine cmd, CommandLine.ParseResult parsed) {
        Throwable e = rootInputError(ex);
        PrintWriter err = cmd.getErr();
        CliErrors.print(err, "spark " + cmd.getCommandName(), CliErrors.message(e), e);
        return CliErrors.badInput(e) ? CliErrors.BAD_INPUT : CliErrors.FAILURE;
    }

    static Throwable rootInputError(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (CliErrors.badInput(t)) {
                return t;
            }
        }
        return ex instanceof java.io.UncheckedIOException && ex.getCause() != null ? ex.getCause() : ex;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
