package org.m3vit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.m3vit.moe.RoutingContext;
import org.m3vit.nn.LayerNormLayer;

/**
 * Pre-norm transformer block: x + Attn(LN1(x)), then x + FFN(LN2(x)). The attention projections and the
 * FFN are built by injected factories ({@link Sublayers}: dense linears and MLP, FFN experts, linear
 * experts), so M³ViT's MoE block, the dense ViT block and conditional-MoE attention are the same class.
 * Split in two halves so the task-independent attention half of the first MoE block can be shared across
 * task pathways. Per-call routing state lives in the {@link BlockCall}, never in the block.
 */
public final class VitBlock extends AbstractBlock {

    private final int dim;
    private final LayerNormLayer norm1;
    private final Attention attn;
    private final LayerNormLayer norm2;
    private final Sublayer ffn;

    public VitBlock(int dim, int heads, Sublayer.ProjectionFactory attention, Sublayer.FeedForwardFactory ffn) {
        this.dim = dim;
        norm1 = addChildBlock("norm1", LayerNormLayer.vit(dim));
        attn = addChildBlock("attn", new Attention(dim, heads, attention));
        norm2 = addChildBlock("norm2", LayerNormLayer.vit(dim));
        this.ffn = ffn.create(dim);
        addChildBlock("mlp", this.ffn.block());
    }

    /** A dense ViT block with FFN hidden width {@code hidden}. */
    public static VitBlock dense(int dim, int heads, int hidden) {
        return new VitBlock(dim, heads, Sublayers.denseProjections(), Sublayers.mlp(hidden));
    }

    /** First half: x + Attn(LN1(x)). Task-independent unless the attention projections are routed. */
    public NDArray attend(ParameterStore ps, NDArray x, BlockCall call, boolean training) {
        return x.add(attn.forward(ps, norm1.forward(ps, x, training), call, training));
    }

    /** Second half: x + FFN(LN2(x)); an MoE FFN routes with the call's context (the task's router). */
    public NDArray feedForward(ParameterStore ps, NDArray x, BlockCall call, boolean training) {
        return x.add(ffn.forward(ps, norm2.forward(ps, x, training), call, training));
    }

    public NDArray forward(ParameterStore ps, NDArray x, BlockCall call, boolean training) {
        return feedForward(ps, attend(ps, x, call, training), call, training);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(ps, inputs.singletonOrThrow(), new BlockCall(RoutingContext.none()), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        Shape tokens = new Shape(1, 1, dim);
        norm1.initialize(manager, dataType, tokens);
        attn.initialize(manager, dataType, tokens);
        norm2.initialize(manager, dataType, tokens);
        ffn.initialize(manager, dataType);
    }
}
