package org.m3vit.spark.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.m3vit.config.ConfigLoader;
import org.m3vit.errors.Limits;
import org.m3vit.spark.ModelSource;
import picocli.CommandLine.Option;

/** The model and engine flags every {@code m3vit spark} command shares. */
final class ModelFlags {

    @Option(
            names = "--weights",
            required = true,
            paramLabel = "W.safetensors",
            description = "Model weights: an m3vit artifact, or reference state-dict names with --config.")
    Path weights;

    @Option(
            names = "--config",
            paramLabel = "C.yml",
            description = "Experiment YAML; needed only for a reference-format weights file.")
    Path config;

    @Option(
            names = "--master",
            paramLabel = "URL",
            description = "Spark master: local[*] (default, embedded), local[N], local[N,retries], spark://host:port."
                    + " Under spark-submit, its --master.")
    String master;

    @Option(
            names = "--threads",
            defaultValue = "1",
            description = "Intra-op engine threads per executor JVM (default: ${DEFAULT-VALUE}; the executor's task"
                    + " slots already run in parallel).")
    int threads;

    @Option(
            names = "--shared-weights",
            description = "Every executor reads --weights at the same path (a shared file system) instead of the"
                    + " job shipping a copy to each.")
    boolean shared;

    ModelSource source() throws IOException {
        Limits.checkThreads("--threads", threads);
        return ModelSource.of(weights, config == null ? null : ConfigLoader.load(config), threads, !shared);
    }
}
