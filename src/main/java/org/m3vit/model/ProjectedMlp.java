package org.m3vit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.m3vit.moe.RoutingContext;

/**
 * The ViT FFN, {@code fc1} (D→hidden) → exact GELU → {@code fc2} (hidden→D), with both linears built by a
 * {@link Sublayer.ProjectionFactory}: dense linears give the ViT MLP, linear experts sharing one decision
 * give Uni-Perceiver-MoE's conditional FFN.
 */
final class ProjectedMlp extends AbstractBlock {

    private final Sublayer fc1;
    private final Sublayer fc2;

    ProjectedMlp(int dim, long hidden, Sublayer.ProjectionFactory projections) {
        fc1 = projections.create("fc1", dim, hidden);
        fc2 = projections.create("fc2", hidden, dim);
        addChildBlock("fc1", fc1.block());
        addChildBlock("fc2", fc2.block());
    }

    NDArray forward(ParameterStore ps, NDArray x, BlockCall call, boolean training) {
        return fc2.forward(ps, Activation.gelu(fc1.forward(ps, x, call, training)), call, training);
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
        fc1.initialize(manager, dataType);
        fc2.initialize(manager, dataType);
    }
}
