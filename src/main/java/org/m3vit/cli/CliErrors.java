package org.m3vit.cli;

import picocli.CommandLine;

/**
 * Turns exceptions escaping a command into one clear line and a non-zero exit code. Bad user input
 * ({@link IllegalArgumentException}: a flag, config, file content or shape that is wrong) exits with 2;
 * anything else (I/O failures, engine errors) with 1.
 * Set {@code M3VIT_DEBUG=1} to also see the stack trace.
 */
final class CliErrors implements CommandLine.IExecutionExceptionHandler {

    static final int BAD_INPUT = 2;
    static final int FAILURE = 1;

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, CommandLine.ParseResult parseResult) {
        boolean badInput = ex instanceof IllegalArgumentException;
        String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
        cmd.getErr().println("m3vit " + cmd.getCommandName() + ": error: " + message);
        if (System.getenv("M3VIT_DEBUG") != null) {
            ex.printStackTrace(cmd.getErr());
        }
        return badInput ? BAD_INPUT : FAILURE;
    }
}
