package org.m3vit.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * Square-kernel 2-D convolution with bias in torch's layout and names: {@code weight} (out, in, k, k),
 * {@code bias} (out). PyTorch's default initialisation (kaiming_uniform(a=√5), bias U(±1/√fan_in)).
 */
public final class Conv2dLayer extends AbstractBlock {

    private final long in;
    private final long out;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final Parameter weight;
    private final Parameter bias;

    public Conv2dLayer(long in, long out, int kernel, int stride, int padding) {
        Checks.positive("in_channels", in);
        Checks.positive("out_channels", out);
        Checks.positive("kernel_size", kernel);
        Checks.positive("stride", stride);
        if (padding < 0) {
            throw new IllegalArgumentException("padding must be >= 0, got " + padding);
        }
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        long fanIn = in * kernel * kernel;
        weight = addParameter(Parameter.builder()
                .setName("weight")
                .setType(Parameter.Type.WEIGHT)
                .optShape(new Shape(out, in, kernel, kernel))
                .optInitializer(TorchInit.kaimingUniformSqrt5())
                .build());
        bias = addParameter(Parameter.builder()
                .setName("bias")
                .setType(Parameter.Type.BIAS)
                .optShape(new Shape(out))
                .optInitializer(TorchInit.uniform(1.0 / Math.sqrt(fanIn)))
                .build());
    }

    public long inChannels() {
        return in;
    }

    public long outChannels() {
        return out;
    }

    public int kernel() {
        return kernel;
    }

    /** x (B, in, H, W) → (B, out, H', W'). */
    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        NDArray w = ps.getValue(weight, x.getDevice(), training);
        NDArray b = ps.getValue(bias, x.getDevice(), training);
        return Conv2d.conv2d(x, w, b, new Shape(stride, stride), new Shape(padding, padding), new Shape(1, 1), 1)
                .singletonOrThrow();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        long h = (s.get(2) + 2L * padding - kernel) / stride + 1;
        long w = (s.get(3) + 2L * padding - kernel) / stride + 1;
        return new Shape[] {new Shape(s.get(0), out, h, w)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        // no children
    }
}
