package org.m3vit.accel;

/**
 * The two linears of one expert, per token: fc1 (htoh4 + GELU) and fc2 (h4toh, scaled by the gate score and
 * added into the layer output). Every expert of every MoE layer has this shape.
 */
public record ExpertShape(Step fc1, Step fc2) {}
