package org.m3vit.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Optional expert capacity with token dropping (V-MoE). Off by default: M³ViT drops nothing.
 *
 * <p>With capacity C = ceil(factor · T · k / E), each expert keeps at most C of its assignments.
 * Priority follows V-MoE: all first choices before any second choice; within a choice rank, tokens in
 * arrival order, or, with batch-prioritised routing, tokens with the highest top score first.
 * A dropped assignment contributes nothing to its token's output.
 */
public record CapacityPolicy(double factor, boolean batchPrioritized) {

    public static final CapacityPolicy NONE = new CapacityPolicy(0, false);

    public CapacityPolicy {
        if (!(factor >= 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException(
                    "capacity factor must be a finite number >= 0 (0 = no limit), got " + factor);
        }
        if (batchPrioritized && factor == 0) {
            throw new IllegalArgumentException("batch-prioritised routing needs a capacity factor > 0");
        }
    }

    public boolean limited() {
        return factor > 0;
    }

    /** Assignments an expert may keep for T tokens with k choices each over E experts. */
    public long capacity(long tokens, int topK, int experts) {
        if (!limited()) {
            return tokens * topK;
        }
        return Math.max(1, (long) Math.ceil(factor * tokens * topK / experts));
    }

    /**
     * Sort key of each flattened (token, slot) assignment: ascending order groups assignments by
     * expert and, when capacity is limited, puts the highest-priority assignments first in each group.
     *
     * @param indices (T, k) expert ids
     * @param scores (T, k) gate scores, best first per token
     * @return (T·k) int64 key
     */
    NDArray sortKey(NDArray indices, NDArray scores) {
        NDArray flatExpert = indices.reshape(-1);
        if (!limited()) {
            return flatExpert;
        }
        long t = indices.getShape().get(0);
        long k = indices.getShape().get(1);
        var manager = indices.getManager();
        // rank of each token: arrival order, or by descending top score (batch-prioritised routing)
        NDArray tokenRank = batchPrioritized
                ? scores.get(":, 0").argSort(0, false).argSort(0, true)
                : manager.arange(0, t, 1, DataType.INT64).toDevice(indices.getDevice(), false);
        NDArray slot = manager.arange(0, k, 1, DataType.INT64).toDevice(indices.getDevice(), false);
        // priority = slot·T + tokenRank, laid out like indices (T, k)
        NDArray priority =
                slot.mul(t).expandDims(0).add(tokenRank.expandDims(1)).reshape(-1);
        return flatExpert.mul(t * k).add(priority);
    }
}
