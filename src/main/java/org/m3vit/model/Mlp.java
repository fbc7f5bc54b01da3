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
import org.m3vit.nn.LinearLayer;

/** The dense ViT FFN: {@code fc1} Linear(D→hidden) → exact GELU → {@code fc2} Linear(hidden→D). */
public final class Mlp extends AbstractBlock {

    private final int dim;
    private final int hidden;
    private final LinearLayer fc1;
    private final LinearLayer fc2;

    public Mlp(int dim, int hidden) {
        this.dim = dim;
        this.hidden = hidden;
        fc1 = addChildBlock("fc1", LinearLayer.vit(dim, hidden));
        fc2 = addChildBlock("fc2", LinearLayer.vit(hidden, dim));
    }

    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        return fc2.forward(ps, Activation.gelu(fc1.forward(ps, x, training)), training);
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
        fc1.initialize(manager, dataType, new Shape(1, dim));
        fc2.initialize(manager, dataType, new Shape(1, hidden));
    }
}
