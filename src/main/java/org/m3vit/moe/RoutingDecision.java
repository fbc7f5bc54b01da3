package org.m3vit.moe;

import ai.djl.ndarray.NDArray;

/**
 * What a router decided for every token of one call: which experts, with which weights, and the
 * balancing loss. {@link MoeLayer#route} makes it and {@link MoeLayer#apply} consumes it, so several
 * sublayers of a block can share one decision (Uni-Perceiver-MoE shares one across qkv and proj, and
 * across the FFN's two linears). It is a per-call value: blocks never keep it.
 *
 * @param indices (T, k) int64 expert ids per token, best first
 * @param scores (T, k) combination weights
 * @param expertCounts (E) int64 (token, slot) assignments per expert
 * @param auxLoss scalar balancing loss of the gate used (0 outside training)
 * @param load (E) the gate's load measure
 * @param importance (E) the gate's importance (sum of selected scores)
 * @param experts E, the number of experts the decision is over
 */
public record RoutingDecision(
        NDArray indices,
        NDArray scores,
        NDArray expertCounts,
        NDArray auxLoss,
        NDArray load,
        NDArray importance,
        int experts) {

    /** Number of tokens T the decision covers. */
    public long tokens() {
        return indices.getShape().get(0);
    }
}
