package org.m3vit.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.m3vit.errors.InvalidInputException;

/**
 * Every file name in a run directory, in one place: the trainer writes them, the report and the demo read
 * them, and {@code m3vit eval} puts its results next to the weights. Existing runs use these names, so
 * they never change.
 * <pre>
 * checkpoint.json                  the latest complete checkpoint (names the two files below)
 * weights-epochNNNN.safetensors    model weights after epoch NNNN
 * optimizer-epochNNNN.safetensors  optimizer state after epoch NNNN
 * weights-stepNNNNNNNN.safetensors   model weights after global step NNNNNNNN (--checkpoint-every)
 * optimizer-stepNNNNNNNN.safetensors optimizer state after global step NNNNNNNN
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

    /** The name of the weights file of a step checkpoint after global step {@code globalStep}. */
    public static String stepWeightsName(long globalStep) {
        return String.format(Locale.ROOT, "weights-step%08d.safetensors", globalStep);
    }

    /** The name of the optimizer state file of a step checkpoint after global step {@code globalStep}. */
    public static String stepOptimizerName(long globalStep) {
        return String.format(Locale.ROOT, "optimizer-step%08d.safetensors", globalStep);
    }

    /** The names m3vit gives checkpoint tensor files: the only files a save ever deletes. */
    private static final Pattern CHECKPOINT_FILE =
            Pattern.compile("(weights|optimizer)-(epoch\\d{4,9}|step\\d{8,18})\\.safetensors");

    /** Whether {@code name} is a plain file name of the form m3vit gives the files of a checkpoint. */
    public static boolean isCheckpointFileName(String name) {
        return name != null && CHECKPOINT_FILE.matcher(name).matches();
    }

    /**
     * A file named in {@code checkpoint.json}: a plain name of the form m3vit writes, inside the run
     * directory. Any other name (a path, {@code ../x}, another file's name) is an error naming the JSON,
     * so a tampered checkpoint can neither make a save delete nor a resume read a file outside the run.
     */
    public Path file(String name) {
        if (!isCheckpointFileName(name)) {
            throw InvalidInputException.file(
                    checkpointJson(),
                    "names the checkpoint file '" + clip(name)
                            + "', which is not one that m3vit writes (weights-/optimizer-epochNNNN or -stepNNNNNNNN"
                            + ".safetensors in the run directory)");
        }
        return dir.resolve(name);
    }

    /**
     * The files of a run that m3vit wrote and that starting the run anew replaces: checkpoint.json, the
     * checkpoint tensor files, best weights, metrics.jsonl and expert_usage.json (regular files only;
     * anything else in the directory is left alone).
     */
    public List<Path> trainingFiles() throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        for (Path p : List.of(checkpointJson(), bestWeights(), metricsLog(), expertUsage())) {
            if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                out.add(p);
            }
        }
        try (Stream<Path> entries = Files.list(dir)) {
            entries.filter(p -> isCheckpointFileName(p.getFileName().toString()))
                    .filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .sorted()
                    .forEach(out::add);
        }
        return out;
    }

    /** Whether the directory already holds a training run (a checkpoint or a metrics log). */
    public boolean holdsRun() {
        return Files.exists(checkpointJson()) || Files.exists(metricsLog());
    }

    /**
     * Refuses to start a fresh run here when the directory already holds one, unless it is to be
     * overwritten: a second run into the same directory would mix its files with the first one's.
     */
    public void requireFreshUnless(boolean overwrite) {
        if (holdsRun() && !overwrite) {
            throw InvalidInputException.file(
                    dir,
                    "already holds a training run (" + checkpointJson().getFileName() + " or "
                            + metricsLog().getFileName() + "); resume it, or start it anew by overwriting it"
                            + " (which deletes only the run's own files)");
        }
    }

    private static String clip(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
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
