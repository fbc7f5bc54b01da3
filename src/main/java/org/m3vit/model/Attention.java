package org.m3vit.model;

import org.m3vit.nn.Scalars;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.m3vit.nn.LinearLayer;

/**
 * timm multi-head self-attention: {@code qkv} Linear(D→3D), softmax(q·kᵀ·head_dim^-0.5)·v, {@code proj}
 * Linear(D→D). No dropout (M³ViT uses attn_drop = proj_drop = 0).
 */
public final class Attention extends AbstractBlock {

    private final int dim;
    private final int heads;
    private final float scale;
    private final LinearLayer qkv;
    private final LinearLayer proj;

    /** qkv always has a bias: the reference's {@code qkv_bias: True,} is truthy (m3vit.md §1.1). */
    public Attention(int dim, int heads) {
        this.dim = dim;
        this.heads = heads;
        this.scale = (float) Math.pow(dim / heads, -0.5);
        qkv = addChildBlock("qkv", LinearLayer.vit(dim, 3L * dim));
        proj = addChildBlock("proj", LinearLayer.vit(dim, dim));
    }

    /** x (B, L, D) → (B, L, D). */
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        Shape s = x.getShape();
        long b = s.get(0);
        long l = s.get(1);
        // (B, L, 3, heads, hd) → (3, B, heads, L, hd)
        NDArray t = qkv.forward(ps, x, training).reshape(b, l, 3, heads, dim / heads).transpose(2, 0, 3, 1, 4);
        NDArray q = t.get(0);
        NDArray k = t.get(1);
        NDArray v = t.get(2);
        NDArray attn = q.matMul(k.transpose(0, 1, 3, 2)).mul(Scalars.of(q, scale)).softmax(-1);
        NDArray o = attn.matMul(v).transpose(0, 2, 1, 3).reshape(b, l, dim);
        return proj.forward(ps, o, training);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        qkv.initialize(manager, dataType, new Shape(1, dim));
        proj.initialize(manager, dataType, new Shape(1, dim));
    }
}
