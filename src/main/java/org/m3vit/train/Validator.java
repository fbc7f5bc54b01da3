package org.m3vit.train;

import java.util.Map;
import org.m3vit.model.MultiTaskModel;
import org.m3vit.task.Task;

/**
 * Per-epoch validation hook of the {@link Trainer}. Implementations return, per task, named numbers; the
 * trainer logs them and computes Δm from each task's {@link #mainMetric main metric}. Kept this small so a
 * fuller evaluator can be plugged in.
 */
public interface Validator {

    Map<Task, Map<String, Double>> validate(MultiTaskModel model, int epoch);

    /** The metric Δm uses for a task (the reference's multi-task performance, m3vit.md §10). */
    static String mainMetric(Task task) {
        return switch (task) {
            case SEMSEG, HUMAN_PARTS, SAL -> "mIoU";
            case EDGE -> "odsF";
            case NORMALS -> "mean";
            case DEPTH -> "rmse";
        };
    }
}
