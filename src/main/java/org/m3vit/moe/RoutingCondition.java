package org.m3vit.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * What a router sees: turns tokens (B, L, D) plus a {@link RoutingContext} into the rows a gate
 * scores. Each routing level is one small subclass; the gates never know which one feeds them.
 */
public abstract class RoutingCondition extends AbstractBlock {

    /** Width d of the rows this condition produces (the gate's input width). */
    public abstract long featureDim();

    /** Name used in configs and error messages. */
    public abstract String id();

    /**
     * @param x tokens (B, L, D)
     */
    public abstract RouterInput features(ParameterStore ps, NDArray x, RoutingContext ctx, boolean training);

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(features(ps, inputs.singletonOrThrow(), RoutingContext.none(), training)
                .rows());
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(-1, featureDim())};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (var child : children.values()) {
            child.initialize(manager, dataType, inputShapes);
        }
    }

    /** Flattens (B, L, D) to (B·L, D). */
    static NDArray flatTokens(NDArray x) {
        return x.reshape(-1, x.getShape().get(2));
    }

    /**
     * Per-token int64 ids given as (L) (shared by every sequence) or (B, L), flattened to (B·L).
     */
    static NDArray perTokenIds(NDArray ids, NDArray x, String what) {
        long b = x.getShape().get(0);
        long l = x.getShape().get(1);
        if (ids.getDataType() != DataType.INT64 && ids.getDataType() != DataType.INT32) {
            throw new IllegalArgumentException(what + " must be integer ids, got " + ids.getDataType());
        }
        Shape s = ids.getShape();
        NDArray ids64 = ids.toType(DataType.INT64, false);
        if (s.dimension() == 1 && s.get(0) == l) {
            return ids64.expandDims(0).broadcast(b, l).reshape(-1);
        }
        if (s.dimension() == 2 && s.get(0) == b && s.get(1) == l) {
            return ids64.reshape(-1);
        }
        throw new IllegalArgumentException(what + " must have shape (" + l + ") or (" + b + ", " + l
                + ") to match tokens " + x.getShape() + ", got " + s);
    }
}
