package org.m3vit.moe;

import ai.djl.ndarray.NDArray;

/**
 * The rows a gate scores and which row each token takes its decision from. Token-level routing has
 * one row per token ({@code rowOfToken == null}); sequence-, task-, modality- and attribute-level
 * routing score a few rows and share each decision among many tokens, so training noise is drawn per
 * row, as in the references.
 *
 * @param rows (R, d) router input
 * @param rowOfToken (T) int64 row index of each flattened token, or null when R = T
 */
public record RouterInput(NDArray rows, NDArray rowOfToken) {

    /** Expands a per-row tensor (R, …) to per-token (T, …). */
    public NDArray perToken(NDArray perRow) {
        return rowOfToken == null ? perRow : perRow.get(rowOfToken); // tiny (R rows): plain indexing
    }
}
