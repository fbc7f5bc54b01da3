package org.m3vit.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The two inputs every command that reads a trained generalist takes: its artifact and a corpus. */
final class GeneralistInputs {

    @Option(names = "--weights", required = true, paramLabel = "W.safetensors", description = "generalist artifact")
    Path weights;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "multimodal corpus root")
    Path data;
}
