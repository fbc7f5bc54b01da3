package org.m3vit.eval;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.m3vit.io.AtomicFiles;
import org.m3vit.task.Task;

/**
 * What one evaluation produced.
 *
 * @param metrics task → metric name → value (keys as in {@link TaskScorer#metrics()})
 * @param deltaM Δm in percent against the dataset's single-task references (NaN if none apply)
 * @param expertUsage task → MoE block index → tokens routed to each expert over the whole split (empty
 *     for a dense model)
 * @param images images evaluated per task (after the reference's skip rules)
 */
public record EvaluationResult(
        Map<Task, Map<String, Double>> metrics,
        double deltaM,
        Map<Task, Map<Integer, long[]>> expertUsage,
        Map<Task, Long> images) {

    /** The metrics JSON object: {"semseg": {"mIoU": …}, …} plus "delta_m" when {@code withDeltaM}. */
    public Map<String, Object> toJsonMap(boolean withDeltaM) {
        Map<String, Object> out = new LinkedHashMap<>();
        metrics.forEach((t, m) -> out.put(t.id(), m));
        if (withDeltaM) {
            out.put("delta_m", deltaM);
        }
        return out;
    }

    /** expert_usage.json's shape: {"task": {"layer": [counts]}}. */
    public Map<String, Map<String, long[]>> expertUsageJson() {
        Map<String, Map<String, long[]>> out = new LinkedHashMap<>();
        expertUsage.forEach((t, layers) -> {
            Map<String, long[]> m = new LinkedHashMap<>();
            layers.forEach((layer, counts) -> m.put(String.valueOf(layer), counts));
            out.put(t.id(), m);
        });
        return out;
    }

    /**
     * Writes the results files of {@code m3vit eval} into {@code dir}, atomically: {@code metrics.json}
     * (the metrics JSON with {@code delta_m}) and {@code expert_usage.json}.
     */
    public void writeTo(Path dir) throws IOException {
        Files.createDirectories(dir);
        AtomicFiles.write(
                dir.resolve("metrics.json"),
                (MetricsJson.format(toJsonMap(true)) + "\n").getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(
                dir.resolve("expert_usage.json"),
                (MetricsJson.format(expertUsageJson()) + "\n").getBytes(StandardCharsets.UTF_8));
    }
}
