package org.m3vit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.m3vit.moe.MoeLayer;
import org.m3vit.moe.MoeOutput;
import org.m3vit.moe.RoutingContext;
import org.m3vit.nn.LayerNormLayer;

/**
 * Pre-norm ViT block: x + Attn(LN1(x)), then x + FFN(LN2(x)), where the FFN ({@code mlp}) is either a
 * dense {@link Mlp} or an {@link MoeLayer}. Split in two halves so the task-independent attention half
 * of the first MoE block can be shared across task pathways.
 */
public final class VitBlock extends AbstractBlock {

    private final int dim;
    private final LayerNormLayer norm1;
    private final Attention attn;
    private final LayerNormLayer norm2;
    private final Mlp denseMlp;
    private final MoeLayer moe;

    private VitBlock(int dim, int heads, Block ffn) {
        this.dim = dim;
        norm1 = addChildBlock("norm1", LayerNormLayer.vit(dim));
        attn = addChildBlock("attn", new Attention(dim, heads));
        norm2 = addChildBlock("norm2", LayerNormLayer.vit(dim));
        addChildBlock("mlp", ffn);
        denseMlp = ffn instanceof Mlp ? (Mlp) ffn : null;
        moe = ffn instanceof MoeLayer ? (MoeLayer) ffn : null;
    }

    public static VitBlock dense(int dim, int heads, int hidden) {
        return new VitBlock(dim, heads, new Mlp(dim, hidden));
    }

    public static VitBlock moe(int dim, int heads, MoeLayer moe) {
        return new VitBlock(dim, heads, moe);
    }

    public boolean isMoe() {
        return moe != null;
    }

    public MoeLayer moeLayer() {
        return moe;
    }

    /** First half: x + Attn(LN1(x)). Never depends on the task. */
    public NDArray attend(ParameterStore ps, NDArray x, boolean training) {
        return x.add(attn.forward(ps, norm1.forward(ps, x, training), training));
    }

    /** Second half: x + FFN(LN2(x)); for an MoE FFN the routing context selects the task's router. */
    public BlockResult feedForward(ParameterStore ps, NDArray x, RoutingContext ctx, boolean training) {
        NDArray h = norm2.forward(ps, x, training);
        if (moe == null) {
            return new BlockResult(x.add(denseMlp.forward(ps, h, training)), null);
        }
        MoeOutput out = moe.forward(ps, h, ctx, training);
        return new BlockResult(x.add(out.output()), out);
    }

    public BlockResult forward(ParameterStore ps, NDArray x, RoutingContext ctx, boolean training) {
        return feedForward(ps, attend(ps, x, training), ctx, training);
    }

    /** A block's output and, for an MoE block, the layer's routing result (aux loss, expert counts). */
    public record BlockResult(NDArray output, MoeOutput moe) {}

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        if (moe != null) {
            throw new UnsupportedOperationException("an MoE block needs a routing context; call forward(ps, x, ctx, …)");
        }
        return new NDList(forward(ps, inputs.singletonOrThrow(), RoutingContext.none(), training).output());
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
        if (moe != null) {
            moe.initialize(manager, dataType);
        } else {
            denseMlp.initialize(manager, dataType, tokens);
        }
    }
}
