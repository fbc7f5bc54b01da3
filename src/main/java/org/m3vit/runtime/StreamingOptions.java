package org.m3vit.runtime;

import java.util.Map;
import org.m3vit.task.Task;

/**
 * How a predictor streams its experts: a number of expert buffers, a memory budget for its weights, or
 * both (the buffers must then fit the budget); optionally each task's expert usage (tokens per expert per
 * MoE block, as training's {@code expert_usage.json} records it), which pins the running task's most used
 * experts in the buffers beyond two.
 *
 * @param buffers N, or null (from the budget, else {@link BufferPlan#DEFAULT_BUFFERS})
 * @param budgetBytes the budget in bytes, or null
 * @param usage task → MoE block index → tokens per expert; empty for plain LRU
 */
public record StreamingOptions(Integer buffers, Long budgetBytes, Map<Task, Map<Integer, long[]>> usage) {

    public StreamingOptions {
        usage = usage == null ? Map.of() : Map.copyOf(usage);
    }

    public static StreamingOptions buffers(int n) {
        return new StreamingOptions(n, null, Map.of());
    }

    public static StreamingOptions budget(long bytes) {
        return new StreamingOptions(null, bytes, Map.of());
    }
}
