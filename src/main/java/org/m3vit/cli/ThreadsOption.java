package org.m3vit.cli;

import picocli.CommandLine.Option;

/** The engine's intra-op thread count, shared by every command that runs the model. */
final class ThreadsOption {

    @Option(names = "--threads", defaultValue = "2", description = "Intra-op threads (default: ${DEFAULT-VALUE}).")
    int threads;

    /** Checks the value and fixes the engine's thread count; call before the engine starts. */
    int apply() {
        if (threads < 1) {
            throw new IllegalArgumentException("--threads must be >= 1, got " + threads);
        }
        Runtime.configureThreads(threads);
        return threads;
    }
}
