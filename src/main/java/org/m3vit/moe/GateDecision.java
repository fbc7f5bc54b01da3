package org.m3vit.moe;

import ai.djl.ndarray.NDArray;

/**
 * What a gate decided for R router rows.
 *
 * @param indices (R, k) int64 expert ids, best first
 * @param scores (R, k) combination weights (differentiable w.r.t. the gate weights)
 * @param auxLoss scalar load-balancing loss; 0 outside training
 * @param load (E) per-expert load as the aux loss sees it (assignment counts, or the smooth estimate)
 * @param importance (E) per-expert sum of the selected scores
 * @param counts (E) assignments per expert over the R rows, as float, without gradient
 */
public record GateDecision(
        NDArray indices, NDArray scores, NDArray auxLoss, NDArray load, NDArray importance, NDArray counts) {}
