package org.m3vit.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * LayerNorm over the last axis with torch parameter names ({@code weight}, {@code bias}). Uses DJL's
 * functional layer norm because the {@code LayerNorm} block's negative-axis form fails to initialise.
 */
public final class LayerNormLayer extends AbstractBlock {

    private final long size;
    private final float eps;
    private final Parameter weight;
    private final Parameter bias;

    public LayerNormLayer(long size, float eps) {
        Checks.positive("normalized_shape", size);
        this.size = size;
        this.eps = eps;
        weight = addParameter(Parameter.builder()
                .setName("weight")
                .setType(Parameter.Type.GAMMA)
                .optShape(new Shape(size))
                .optInitializer(TorchInit.ones())
                .build());
        bias = addParameter(Parameter.builder()
                .setName("bias")
                .setType(Parameter.Type.BETA)
                .optShape(new Shape(size))
                .optInitializer(TorchInit.zeros())
                .build());
    }

    /** LayerNorm with the ViT epsilon 1e-6. */
    public static LayerNormLayer vit(long size) {
        return new LayerNormLayer(size, 1e-6f);
    }

    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        NDArray g = ps.getValue(weight, x.getDevice(), training);
        NDArray b = ps.getValue(bias, x.getDevice(), training);
        return LayerNorm.layerNorm(x, new Shape(size), g, b, eps).singletonOrThrow();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        // no children
    }
}
