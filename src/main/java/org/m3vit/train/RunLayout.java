package org.m3vit.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/**
 * Every file name in a run directory, in one place: the trainer writes them, the report and the demo read
 * them, and {@code m3vit eval} puts its results next to the weights. Existing runs use these names, so
 * they never change.
 * <pre>
 * checkpoint.json                  the latest complete checkpoint (names the two files below)
 * weights-epochNNNN.safetensors    model weights after epoch NNNN
 * optimizer-epochNNNN.safetensors  optimizer state after epoch NNNN
 * best.safetensors                 weights of the epoch with the best Δm so far
 * metrics.jsonl                    one epoch record per epoch
 * expert_usage.json                tokens per expert of the last training epoch
 * results/                         a final evaluation (eval.EvaluationResult.writeTo): metrics.json, …
 * final_metrics.json               older runs' final metrics (read, never written)
 * run_info.json                    parameters and GFLOPs (written by the demo)
 * .m3vit-demo-run                  marks a run directory the demo may replace
 * </pre>
 */
public record RunLayout(Path dir) {

    public RunLayout {
        Objects.requireNonNull(dir, "dir");
    }

    public Path checkpointJson() {
        return dir.resolve("checkpoint.json");
    }

    /** The name of epoch {@code epoch}'s weights file, as {@code checkpoint.json} records it. */
    public static String weightsName(int epoch) {
        return String.format(Locale.ROOT, "weights-epoch%04d.safetensors", epoch);
    }

    /** The name of epoch {@code epoch}'s optimizer state file, as {@code checkpoint.json} records it. */
    public static String optimizerName(int epoch) {
        return String.format(Locale.ROOT, "optimizer-epoch%04d.safetensors", epoch);
    }

    /** A file named in {@code checkpoint.json} (names there are relative to the run directory). */
    public Path file(String name) {
        return dir.resolve(name);
    }

    public Path bestWeights() {
        return dir.resolve("best.safetensors");
    }

    public Path metricsLog() {
        return dir.resolve("metrics.jsonl");
    }

    public Path expertUsage() {
        return dir.resolve("expert_usage.json");
    }

    /** The results directory of a final evaluation; {@code eval.EvaluationResult.writeTo} names its files. */
    public Path results() {
        return dir.resolve("results");
    }

    /** The metrics JSON in {@link #results()}, under the name {@code EvaluationResult.writeTo} gives it. */
    public Path resultsMetrics() {
        return results().resolve("metrics.json");
    }

    /** Where runs written before {@link #results()} existed keep their final metrics. */
    public Path legacyFinalMetrics() {
        return dir.resolve("final_metrics.json");
    }

    public Path runInfo() {
        return dir.resolve("run_info.json");
    }

    /** Present while the run directory belongs to {@code m3vit demo}, which may then replace it. */
    public Path demoMarker() {
        return dir.resolve(".m3vit-demo-run");
    }

    /** A new, empty temporary weights file in the run directory (for converted pretrained weights). */
    public Path createScratchWeights() throws IOException {
        Files.createDirectories(dir);
        return Files.createTempFile(dir, "pretrained-", ".safetensors");
    }
}
