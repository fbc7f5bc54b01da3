package org.m3vit.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * BatchNorm over axis 1 of (B, C, H, W) with torch's names and defaults: {@code weight}, {@code bias},
 * {@code running_mean}, {@code running_var}, eps 1e-5, torch momentum 0.1 (DJL's convention is the
 * complement, 0.9). Evaluation uses the running statistics. torch's {@code num_batches_tracked} is an
 * int64 counter, kept here as a plain field so it is saved and loaded with the state dict but never
 * reaches an optimizer.
 */
public final class BatchNorm2dLayer extends AbstractBlock {

    /** DJL momentum 0.9 == torch momentum 0.1. */
    private static final float DJL_MOMENTUM = 0.9f;

    private final long channels;
    private final float eps;
    private final Parameter weight;
    private final Parameter bias;
    private final Parameter runningMean;
    private final Parameter runningVar;
    private long numBatchesTracked;

    public BatchNorm2dLayer(long channels) {
        Checks.positive("num_features", channels);
        this.channels = channels;
        this.eps = 1e-5f;
        Shape shape = new Shape(channels);
        weight = addParameter(Parameter.builder()
                .setName("weight")
                .setType(Parameter.Type.GAMMA)
                .optShape(shape)
                .optInitializer(TorchInit.ones())
                .build());
        bias = addParameter(Parameter.builder()
                .setName("bias")
                .setType(Parameter.Type.BETA)
                .optShape(shape)
                .optInitializer(TorchInit.zeros())
                .build());
        runningMean = addParameter(Parameter.builder()
                .setName("running_mean")
                .setType(Parameter.Type.RUNNING_MEAN)
                .optShape(shape)
                .optInitializer(TorchInit.zeros())
                .optRequiresGrad(false)
                .build());
        runningVar = addParameter(Parameter.builder()
                .setName("running_var")
                .setType(Parameter.Type.RUNNING_VAR)
                .optShape(shape)
                .optInitializer(TorchInit.ones())
                .optRequiresGrad(false)
                .build());
    }

    public long channels() {
        return channels;
    }

    public long numBatchesTracked() {
        return numBatchesTracked;
    }

    public void setNumBatchesTracked(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("num_batches_tracked must be >= 0, got " + n);
        }
        numBatchesTracked = n;
    }

    public NDArray forward(ParameterStore ps, NDArray x, boolean training) {
        NDArray g = ps.getValue(weight, x.getDevice(), training);
        NDArray b = ps.getValue(bias, x.getDevice(), training);
        NDArray m = ps.getValue(runningMean, x.getDevice(), training);
        NDArray v = ps.getValue(runningVar, x.getDevice(), training);
        if (training) {
            numBatchesTracked++;
        }
        return BatchNorm.batchNorm(x, m, v, g, b, 1, DJL_MOMENTUM, eps, training)
                .singletonOrThrow();
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
