package org.m3vit.generalist.task;

import ai.djl.ndarray.NDArray;

/**
 * @param loss the task's scalar loss, unweighted
 * @param auxLoss the summed MoE balancing loss of the encoder calls behind it (0 for a dense model)
 */
public record TaskLoss(NDArray loss, NDArray auxLoss) {}
