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
import org.m3vit.nn.Scalars;

/**
 * timm multi-head self-attention: {@code qkv} Linear(D→3D), softmax(q·kᵀ·head_dim^-0.5)·v, {@code proj}
 * Linear(D→D). No dropout (M³ViT uses attn_drop = proj_drop = 0). Both projections come from a
 * {@link Sublayer.ProjectionFactory}: dense linears for the ViT, linear experts for conditional-MoE attention.
 */
public final class Attention extends AbstractBlock {

    private final int dim;
    private final int heads;
    private final float scale;
    private final Sublayer qkv;
    private final Sublayer proj;

    /** Dense projections; qkv always has a bias: the reference's {@code qkv_bias: True,} is truthy (m3vit.md §1.1). */
    public Attention(int dim, int heads) {
        this(dim, heads, Sublayers.denseProjections());
    }

    public Attention(int dim, int heads, Sublayer.ProjectionFactory projections) {
        this.dim = dim;
        this.heads = heads;
        this.scale = (float) Math.pow(dim / heads, -0.5);
        qkv = projections.create("qkv", dim, 3L * dim);
        proj = projections.create("proj", dim, dim);
        addChildBlock("qkv", qkv.block());
        addChildBlock("proj", proj.block());
    }

    /** x (B, L, D) → (B, L, D); the call's attention mask, if any, is added to the logits. */
    public NDArray forward(ParameterStore ps, NDArray x, BlockCall call, boolean training) {
        Shape s = x.getShape();
        long b = s.get(0);
        long l = s.get(1);
        // (B, L, 3, heads, hd) → (3, B, heads, L, hd)
        NDArray t = qkv.forward(ps, x, call, training)
                .reshape(b, l, 3, heads, dim / heads)
                .transpose(2, 0, 3, 1, 4);
        NDArray q = t.get(0);
        NDArray k = t.get(1);
        NDArray v = t.get(2);
        NDArray logits = q.matMul(k.transpose(0, 1, 3, 2)).mul(Scalars.of(q, scale));
        NDArray mask = call.attentionMask();
        NDArray attn = (mask == null ? logits : logits.add(mask)).softmax(-1);
        NDArray o = attn.matMul(v).transpose(0, 2, 1, 3).reshape(b, l, dim);
        return proj.forward(ps, o, call, training);
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
        qkv.initialize(manager, dataType);
        proj.initialize(manager, dataType);
    }
}
