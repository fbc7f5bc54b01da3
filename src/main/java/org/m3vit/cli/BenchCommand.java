package org.m3vit.cli;

import picocli.CommandLine.Command;

/** {@code m3vit bench …}: performance measurements (commands, not tests). */
@Command(
        name = "bench",
        description = "Run a benchmark.",
        mixinStandardHelpOptions = true,
        subcommands = {BenchMoeCommand.class, BenchModelCommand.class, BenchRuntimeCommand.class})
final class BenchCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
