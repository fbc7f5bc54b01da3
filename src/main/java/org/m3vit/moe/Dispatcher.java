package org.m3vit.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;

/** Sends tokens to their chosen experts and combines the expert outputs weighted by the gate scores. */
public interface Dispatcher {

    /**
     * @param source where each expert's weights come from (the resident parameters, or streamed)
     * @param tokens (T, in)
     * @param indices (T, k) int64 expert ids
     * @param scores (T, k) gate scores
     * @param expertCounts per-expert assignment counts (E) int64, already computed by the caller
     * @return (T, out) = Σ_j scores[t, j] · expert_{indices[t, j]}(tokens[t]) over kept assignments
     */
    NDArray combine(
            ParameterStore ps,
            Experts experts,
            ExpertSource source,
            NDArray tokens,
            NDArray indices,
            NDArray scores,
            NDArray expertCounts,
            boolean training);

    /** The id it is registered under in {@link Dispatchers}. */
    String id();
}
