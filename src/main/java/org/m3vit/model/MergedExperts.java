package org.m3vit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import org.m3vit.moe.MoeLayer;

/**
 * Expert re-parameterisation (Uni-Perceiver-MoE §4): when routing does not depend on the tokens (modality,
 * task or attribute level), the k experts a linear-expert layer selects for a condition can be merged
 * once into one dense linear, W = Σ g·W_e and b = Σ g·b_e, and applied instead of routing. A call that
 * carries one ({@link BlockCall#withMergedExperts}) asks it first in every linear-expert sublayer; it
 * answers null for a layer it has no merged weights for, which then routes and applies as usual.
 */
@FunctionalInterface
public interface MergedExperts {

    /** {@code x} (B, L, in) through {@code layer}'s merged experts, or null to route and apply as usual. */
    NDArray apply(ParameterStore ps, MoeLayer layer, NDArray x);
}
