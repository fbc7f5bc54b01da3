package org.m3vit.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one optimizer step measured, read from the engine once.
 *
 * @param losses each task's unweighted loss by task id, in the model's task order (a step of a model that
 *     trains one task per batch reports only that task)
 * @param auxLoss the MoE balancing loss summed over tasks and layers (0 for a dense model)
 * @param gradNorm the global gradient norm before clipping
 * @param expertCounts task id → MoE block → tokens routed to each expert (no entry for a model without MoE)
 */
public record StepResult(
        Map<String, Float> losses, float auxLoss, double gradNorm, Map<String, Map<Integer, long[]>> expertCounts) {

    public StepResult {
        losses = Collections.unmodifiableMap(new LinkedHashMap<>(losses));
        expertCounts = Collections.unmodifiableMap(new LinkedHashMap<>(expertCounts));
    }

    /** The sum of the task losses, added in task order. */
    public double totalLoss() {
        double s = 0;
        for (float v : losses.values()) {
            s += v;
        }
        return s;
    }
}
