package org.m3vit.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;

/**
 * y = x·Wᵀ + b with torch's layout: {@code weight} (out, in), {@code bias} (out). Applies to the last
 * axis of an input of any rank. Parameter names match a PyTorch {@code nn.Linear} state dict.
 */
public final class LinearLayer extends AbstractBlock {

    private final long in;
    private final long out;
    private final Parameter weight;
    private final Parameter bias;

    private LinearLayer(long in, long out, boolean withBias, Initializer weightInit, Initializer biasInit) {
        Checks.positive("in_features", in);
        Checks.positive("out_features", out);
        this.in = in;
        this.out = out;
        weight = addParameter(Parameter.builder()
                .setName("weight")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(out, in))
                .optInitializer(weightInit)
                .build());
        bias = withBias
                ? addParameter(Parameter.builder()
                        .setName("bias")
                        .setType(Parameter.Type.BIAS)
                        .optShape(new Shape(out))
                        .optInitializer(biasInit)
                        .build())
                : null;
    }

    /** The ViT initialisation: trunc_normal(0.02) weights, zero bias. */
    public static LinearLayer vit(long in, long out) {
        return new LinearLayer(in, out, true, TorchInit.truncNormal(0.02), TorchInit.zeros());
    }

    /** PyTorch's default {@code nn.Linear} initialisation. */
    public static LinearLayer torchDefault(long in, long out, boolean withBias) {
        return new LinearLayer(
                in, out, withBias, TorchInit.kaimingUniformSqrt5(), TorchInit.uniform(1.0 / Math.sqrt(in)));
    }

    public long inFeatures() {
        return in;
    }

    public long outFeatures() {
        return out;
    }

    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        NDArray b = bias == null ? null : ps.getValue(bias, x.getDevice(), training);
        return Linear.linear(x, w, b).singletonOrThrow();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long[] dims = inputShapes[0].getShape().clone();
        dims[dims.length - 1] = out;
        return new Shape[] {new Shape(dims)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        // no children
    }
}
