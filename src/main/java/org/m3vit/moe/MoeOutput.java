package org.m3vit.moe;

import ai.djl.ndarray.NDArray;

/**
 * Result of one MoE layer call: the combined expert outputs and the routing decision they came from.
 *
 * @param output (B, L, out) or (T, out) combined expert outputs
 * @param decision the routing decision applied (possibly made by another layer sharing it)
 */
public record MoeOutput(NDArray output, RoutingDecision decision) {

    /** Scalar balancing loss of the gate used (0 outside training). */
    public NDArray auxLoss() {
        return decision.auxLoss();
    }

    /** (E) int64 (token, slot) assignments per expert in this call. */
    public NDArray expertCounts() {
        return decision.expertCounts();
    }

    public NDArray load() {
        return decision.load();
    }

    public NDArray importance() {
        return decision.importance();
    }

    /** Every array a caller must keep alive to read this result after the call's scope closes. */
    public NDArray[] arrays() {
        return new NDArray[] {
            output,
            decision.indices(),
            decision.scores(),
            decision.expertCounts(),
            decision.auxLoss(),
            decision.load(),
            decision.importance()
        };
    }
}
