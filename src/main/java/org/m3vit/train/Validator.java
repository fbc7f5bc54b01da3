package org.m3vit.train;

import java.util.Map;
import org.m3vit.model.MultiTaskModel;
import org.m3vit.task.Task;

/**
 * Per-epoch validation hook of the {@link TrainingLoop}. Implementations return, per task, named numbers;
 * the loop records them and computes Δm from each task's main metric
 * ({@link org.m3vit.task.TaskSpec#mainMetric}). Kept this small so a
 * fuller evaluator can be plugged in.
 */
public interface Validator {

    Map<Task, Map<String, Double>> validate(MultiTaskModel model, int epoch);
}
