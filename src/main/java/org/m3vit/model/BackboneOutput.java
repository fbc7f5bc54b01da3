package org.m3vit.model;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.Map;

/**
 * One task pathway through the backbone.
 *
 * @param blocks every block's output (B, N+1, D), in block order (the reference returns all of them)
 * @param auxLoss sum of the MoE layers' balancing losses (scalar; 0 in eval and for a dense backbone)
 * @param expertCounts MoE block index → (E) int64 token assignments per expert in that layer
 */
public record BackboneOutput(List<NDArray> blocks, NDArray auxLoss, Map<Integer, NDArray> expertCounts) {

    public NDArray last() {
        return blocks.get(blocks.size() - 1);
    }
}
