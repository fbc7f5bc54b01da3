package org.m3vit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.m3vit.nn.Conv2dLayer;

/** {@code proj}: Conv2d(in_chans → D, kernel = stride = patch), then flatten to tokens (B, N, D). */
public final class PatchEmbed extends AbstractBlock {

    private final Conv2dLayer proj;

    public PatchEmbed(int inChans, int dim, int patch) {
        proj = addChildBlock("proj", new Conv2dLayer(inChans, dim, patch, patch, 0));
    }

    public NDArray forward(ParameterStore ps, NDArray image, boolean training) {
        NDArray y = proj.forward(ps, image, training); // (B, D, h, w)
        Shape s = y.getShape();
        return y.reshape(s.get(0), s.get(1), s.get(2) * s.get(3)).transpose(0, 2, 1);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = proj.getOutputShapes(inputShapes)[0];
        return new Shape[] {new Shape(s.get(0), s.get(2) * s.get(3), s.get(1))};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        proj.initialize(manager, dataType, inputShapes);
    }
}
