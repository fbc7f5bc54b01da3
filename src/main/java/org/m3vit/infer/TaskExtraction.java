package org.m3vit.infer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.m3vit.config.ModelConfig;
import org.m3vit.data.MultiTaskReader;
import org.m3vit.data.RawSample;
import org.m3vit.data.Split;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.runtime.TaskExtractor;
import org.m3vit.task.Task;

/**
 * {@code m3vit extract}: a task's single-task artifact, optionally calibrated. With calibration images it
 * measures how often the task's routers select each expert and drops the experts selected for less than
 * a fraction {@code minUsage} of a layer's assignments, then reports the largest change of the task's
 * outputs on those images between the model and the extracted one. Without {@code minUsage} nothing is
 * dropped and the outputs are unchanged.
 */
public final class TaskExtraction {

    /**
     * @param usage MoE block → tokens per expert over the calibration images (empty without calibration)
     * @param dropped MoE block → dropped experts
     * @param images calibration images used
     * @param maxAbsChange largest |output change| over those images (NaN without calibration)
     * @param maxAbsOutput largest |output| of the original model over those images, for scale
     */
    public record Result(
            Path out,
            Map<Integer, long[]> usage,
            Map<Integer, Set<Integer>> dropped,
            int images,
            double maxAbsChange,
            double maxAbsOutput) {

        public int droppedCount() {
            return dropped.values().stream().mapToInt(Set::size).sum();
        }
    }

    /** Calibration: a dataset root laid out as the config's dataset, how many train images, the threshold. */
    public record Calibration(Path root, int images, Double minUsage) {}

    private TaskExtraction() {}

    /**
     * @param config the source model's config (resolved against the weights file)
     * @param calibration null for a plain extraction
     */
    public static Result run(
            Path weights, ModelConfig config, Task task, Calibration calibration, Path out, Consumer<String> progress)
            throws IOException {
        config.tasks().idOf(task);
        if (calibration != null && calibration.minUsage() != null) {
            double f = calibration.minUsage();
            if (!(f >= 0 && f < 1)) {
                throw InvalidInputException.field("min usage", "must be in [0, 1), got " + f);
            }
        }
        ModelConfig single = TaskExtractor.singleTask(config, task);
        Map<String, String> meta = ModelArtifact.derivedMetadata(weights, single);
        meta.put("m3vit.extracted_task", task.id());
        meta.put("m3vit.extracted_from", weights.getFileName().toString());
        if (calibration == null) {
            TaskExtractor.write(weights, config, task, Map.of(), meta, out);
            return new Result(out, Map.of(), Map.of(), 0, Double.NaN, Double.NaN);
        }
        MultiTaskReader reader =
                MultiTaskReader.open(config.tasks().dataset(), calibration.root(), Split.TRAIN, EnumSet.of(task));
        int n = Math.min(calibration.images(), reader.size());
        if (n < 1) {
            throw InvalidInputException.file(calibration.root(), "has no training images to calibrate on");
        }
        Map<Integer, long[]> usage = new TreeMap<>();
        try (Predictor p = Predictor.builder().weights(weights).config(config).build()) {
            for (int i = 0; i < n; i++) {
                progress.accept("usage " + (i + 1) + "/" + n);
                TaskPrediction pr = p.predictDetailed(List.of(image(reader.read(i))), task);
                pr.expertCounts().forEach((block, c) -> {
                    long[] sum = usage.computeIfAbsent(block, b -> new long[c.length]);
                    for (int e = 0; e < c.length; e++) {
                        sum[e] += c[e];
                    }
                });
            }
            Map<Integer, Set<Integer>> dropped = new TreeMap<>();
            Map<String, Set<Integer>> drop = new LinkedHashMap<>();
            if (calibration.minUsage() != null) {
                usage.forEach((block, c) -> {
                    long total = 0;
                    for (long x : c) {
                        total += x;
                    }
                    Set<Integer> ids = new TreeSet<>();
                    for (int e = 0; e < c.length; e++) {
                        boolean never = c[e] == 0;
                        if (never || (double) c[e] / total < calibration.minUsage()) {
                            ids.add(e);
                        }
                    }
                    if (ids.size() == c.length) {
                        throw InvalidInputException.field(
                                "min usage",
                                calibration.minUsage() + " would drop every expert of MoE block " + block
                                        + " (its most used expert has "
                                        + String.format(Locale.ROOT, "%.3f", maxFraction(c, total))
                                        + " of the assignments)");
                    }
                    dropped.put(block, ids);
                    drop.put("backbone.blocks." + block + ".mlp.experts", ids);
                });
            }
            TaskExtractor.write(weights, config, task, drop, meta, out);
            double maxChange = 0;
            double maxOut = 0;
            try (Predictor q = Predictor.builder().weights(out).build()) {
                for (int i = 0; i < n; i++) {
                    progress.accept("output change " + (i + 1) + "/" + n);
                    ModelInput in = image(reader.read(i));
                    float[] a = p.predict(in, task).floats();
                    float[] b = q.predict(in, task).floats();
                    for (int k = 0; k < a.length; k++) {
                        maxChange = Math.max(maxChange, Math.abs((double) a[k] - b[k]));
                        maxOut = Math.max(maxOut, Math.abs(a[k]));
                    }
                }
            }
            return new Result(out, usage, dropped, n, maxChange, maxOut);
        }
    }

    private static double maxFraction(long[] counts, long total) {
        long max = 0;
        for (long c : counts) {
            max = Math.max(max, c);
        }
        return (double) max / total;
    }

    private static ModelInput image(RawSample s) {
        return ModelInput.image(s.image(), s.height(), s.width());
    }
}
