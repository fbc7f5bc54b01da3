package org.m3vit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;

/**
 * A replaceable part of a transformer block: an attention projection or the FFN. Blocks take factories
 * for them (as timm's {@code Block(attn_layer=…, mlp_layer=…)} does), so a dense linear, linear experts or
 * FFN experts plug into the same block without a branch in it.
 */
public interface Sublayer {

    /** The block holding the parameters; the caller registers it under its role's name (state-dict names). */
    Block block();

    /** Initialises the parameters; the input width is fixed at construction. */
    void initialize(NDManager manager, DataType dataType);

    /** Tokens (B, L, in) → (B, L, out). MoE sublayers route through {@code call} and record their results there. */
    NDArray forward(ParameterStore ps, NDArray x, BlockCall call, boolean training);

    /** Builds an attention projection in → out for the role "qkv" or "proj". */
    @FunctionalInterface
    interface ProjectionFactory {
        Sublayer create(String role, long in, long out);
    }

    /** Builds a block's FFN of width {@code dim}. */
    @FunctionalInterface
    interface FeedForwardFactory {
        Sublayer create(int dim);
    }
}
