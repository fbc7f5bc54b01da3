package org.m3vit.config;

/** How an MoE layer's router learns which task is running (m3vit.md §3). */
public enum RoutingMode {
    /** One router per task per MoE layer ({@code multi_gate: True}). */
    MULTI_GATE,
    /** One shared router fed concat(token, f_t) ({@code multi_gate: False}, gate_task_specific_dim G ≥ 1). */
    TASK_CONDITIONED,
    /** One shared router that sees only the token ({@code multi_gate: False}, G < 0). */
    TOKEN
}
