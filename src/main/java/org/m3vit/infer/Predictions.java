package org.m3vit.infer;

import java.util.Map;
import org.m3vit.io.Tensor;
import org.m3vit.task.Task;

/**
 * A batch's results: each task's head output (N, C, H, W) at the model's input size, and how many
 * (token, slot) assignments each expert of each MoE block received in that task's pathway.
 *
 * @param outputs task → (N, C_task, H, W) float32
 * @param expertCounts task → MoE block index → tokens routed to each expert (empty for dense models)
 */
public record Predictions(Map<Task, Tensor> outputs, Map<Task, Map<Integer, long[]>> expertCounts) {

    public Tensor output(Task t) {
        Tensor out = outputs.get(t);
        if (out == null) {
            throw new IllegalArgumentException("no prediction for task " + t.id() + "; predicted: " + outputs.keySet());
        }
        return out;
    }
}
