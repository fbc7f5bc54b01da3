package org.m3vit.moe;

import ai.djl.ndarray.NDArray;

/**
 * Result of one MoE layer call.
 *
 * @param output (B, L, out) combined expert outputs
 * @param auxLoss scalar balancing loss of the gate used (0 outside training)
 * @param expertCounts (E) int64 (token, slot) assignments per expert in this call
 * @param load (E) the gate's load measure for this call
 * @param importance (E) the gate's importance (sum of selected scores) for this call
 */
public record MoeOutput(NDArray output, NDArray auxLoss, NDArray expertCounts, NDArray load, NDArray importance) {}
