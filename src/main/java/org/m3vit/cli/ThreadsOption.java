package org.m3vit.cli;

import org.m3vit.infer.EngineSettings;
import picocli.CommandLine.Option;

/** The engine's intra-op thread count, shared by every command that runs the model. */
final class ThreadsOption {

    @Option(names = "--threads", defaultValue = "2", description = "Intra-op threads (default: ${DEFAULT-VALUE}).")
    int threads;

    /** Checks the value and fixes the engine's thread count; call before the engine starts. */
    int apply() {
        if (threads < 1 || threads > EngineSettings.MAX_THREADS) {
            throw new IllegalArgumentException(
                    "--threads must be between 1 and " + EngineSettings.MAX_THREADS + ", got " + threads);
        }
        EngineSettings.threads(threads);
        return threads;
    }
}
