package org.m3vit.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.m3vit.config.ModelConfig;
import org.m3vit.infer.ModelArtifact;
import org.m3vit.infer.TaskExtraction;
import org.m3vit.task.Task;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code m3vit extract}: one task's single-task artifact, optionally without its rarely used experts. */
@Command(
        name = "extract",
        mixinStandardHelpOptions = true,
        description = "Write a task's single-task artifact (Mod-Squad): that task's routers and head, the shared"
                + " weights and the experts; its outputs equal the task's pathway of the multi-task model. With"
                + " --data ROOT the task's expert usage is measured on training images; with --min-usage F too,"
                + " experts chosen for less than a fraction F of a layer's assignments (0: never chosen) are dropped"
                + " (zero weights, never loaded when streamed, left out when packed), and the largest change of the"
                + " outputs on those images is reported.")
final class ExtractCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Option(
            names = "--weights",
            required = true,
            paramLabel = "W.safetensors",
            description = "Multi-task weights: an m3vit artifact (also packed), or reference names with --config.")
    Path weights;

    @Option(names = "--task", required = true, description = "The task to extract.")
    String task;

    @Option(names = "--out", required = true, paramLabel = "W_T.safetensors", description = "Output artifact.")
    Path out;

    @Option(names = "--data", paramLabel = "ROOT", description = "Calibration dataset root (its train split).")
    Path data;

    @Option(
            names = "--min-usage",
            paramLabel = "F",
            description = "Drop experts selected for less than this fraction of a layer's assignments (needs --data).")
    Double minUsage;

    @Option(
            names = "--calibration-images",
            defaultValue = "64",
            paramLabel = "N",
            description = "Calibration images, the first N of the train split (default: ${DEFAULT-VALUE}).")
    int images;

    @Mixin
    ThreadsOption threadsOption;

    @Override
    public Integer call() throws Exception {
        threadsOption.apply();
        if (minUsage != null && data == null) {
            throw new IllegalArgumentException("--min-usage needs calibration images: give --data ROOT");
        }
        if (images < 1) {
            throw new IllegalArgumentException("--calibration-images must be >= 1, got " + images);
        }
        Task t = Task.parse(task);
        ModelConfig config = ModelArtifact.resolveConfig(weights, model.loadIfGiven());
        TaskExtraction.Result r = TaskExtraction.run(
                weights,
                config,
                t,
                data == null ? null : new TaskExtraction.Calibration(data, images, minUsage),
                out,
                Progress.line());
        Progress.clear();
        System.out.println("wrote " + r.out() + " (" + t.id() + " only)");
        if (r.images() > 0) {
            System.out.println("expert usage over " + r.images() + " calibration images (tokens per expert):");
            r.usage()
                    .forEach((block, c) -> System.out.println("  block " + block + ": " + Arrays.toString(c)
                            + (r.dropped().containsKey(block)
                                    ? " dropped " + r.dropped().get(block)
                                    : "")));
            if (minUsage != null) {
                System.out.printf(
                        Locale.ROOT,
                        "dropped %d experts; largest output change on the calibration images %.3g (largest |output|"
                                + " %.3g)%n",
                        r.droppedCount(),
                        r.maxAbsChange(),
                        r.maxAbsOutput());
            }
        }
        return 0;
    }
}
