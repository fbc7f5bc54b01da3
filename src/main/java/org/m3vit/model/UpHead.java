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
import org.m3vit.nn.BatchNorm2dLayer;
import org.m3vit.nn.Conv2dLayer;
import org.m3vit.nn.LayerNormLayer;

/**
 * The reference {@code VisionTransformerUpHead} (m3vit.md §4): LayerNorm → drop cls → tokens to a
 * (B, D, h, w) map → 4 × [conv3×3 + BatchNorm + ReLU] with bilinear ×2 between them → conv1×1 to the
 * task's channels → bilinear ×2, i.e. back to the input resolution for patch 16. Children are named as
 * in the reference state dict: {@code norm}, {@code conv_0..conv_4}, {@code syncbn_fc_0..3}.
 */
public final class UpHead extends AbstractBlock {

    private static final int NUM_CONV = 4;

    private final int dim;
    private final int channels;
    private final int outChannels;
    private final LayerNormLayer norm;
    private final Conv2dLayer[] convs = new Conv2dLayer[NUM_CONV + 1];
    private final BatchNorm2dLayer[] bns = new BatchNorm2dLayer[NUM_CONV];

    public UpHead(int dim, int channels, int outChannels) {
        this.dim = dim;
        this.channels = channels;
        this.outChannels = outChannels;
        norm = addChildBlock("norm", LayerNormLayer.vit(dim));
        for (int i = 0; i < NUM_CONV; i++) {
            convs[i] = addChildBlock("conv_" + i, new Conv2dLayer(i == 0 ? dim : channels, channels, 3, 1, 1));
        }
        convs[NUM_CONV] = addChildBlock("conv_" + NUM_CONV, new Conv2dLayer(channels, outChannels, 1, 1, 0));
        for (int i = 0; i < NUM_CONV; i++) {
            bns[i] = addChildBlock("syncbn_fc_" + i, new BatchNorm2dLayer(channels));
        }
    }

    public int outChannels() {
        return outChannels;
    }

    public BatchNorm2dLayer batchNorm(int i) {
        return bns[i];
    }

    /**
     * @param tokens the backbone block output (B, 1+h·w, D); the cls token is dropped
     * @param gridH h, the patch-grid height
     * @param outH output height (the input image's); the final resize is skipped when it already matches
     */
    public NDArray forward(
            ParameterStore ps, NDArray tokens, int gridH, int gridW, int outH, int outW, boolean training) {
        Shape s = tokens.getShape();
        if (s.dimension() != 3 || s.get(1) != 1L + (long) gridH * gridW || s.get(2) != dim) {
            throw new IllegalArgumentException(
                    "head input must be (B, " + (1 + gridH * gridW) + ", " + dim + "), got " + s);
        }
        long b = s.get(0);
        // The reference drops cls only when L % 48 != 0; with cls kept the reshape below would fail,
        // so dropping it always is the only working behaviour.
        NDArray x = StepScope.run(() -> norm.forward(ps, tokens.get(":, 1:, :"), training)
                .transpose(0, 2, 1)
                .reshape(b, dim, gridH, gridW));
        for (int i = 0; i < NUM_CONV; i++) {
            int stage = i;
            NDArray in = x;
            x = StepScope.run(() -> {
                NDArray y = Activation.relu(bns[stage].forward(ps, convs[stage].forward(ps, in, training), training));
                return stage < NUM_CONV - 1 ? upsample2x(y) : y;
            });
        }
        NDArray features = x;
        x = StepScope.run(() -> upsample2x(convs[NUM_CONV].forward(ps, features, training)));
        Shape o = x.getShape();
        if (o.get(2) != outH || o.get(3) != outW) {
            // Only reached for sizes the config rejects today (patch != 16); an upsampling resize matches
            // torch, a downsampling one would be antialiased by the engine.
            x = x.getNDArrayInternal().interpolation(new long[] {outH, outW}, 1, false);
        }
        return x;
    }

    /** Bilinear ×2 with align_corners=False; the engine's upsampling path equals torch's. */
    static NDArray upsample2x(NDArray x) {
        Shape s = x.getShape();
        return x.getNDArrayInternal().interpolation(new long[] {s.get(2) * 2, s.get(3) * 2}, 1, false);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        throw new UnsupportedOperationException("call forward(ps, tokens, gridH, gridW, outH, outW, training)");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        norm.initialize(manager, dataType, new Shape(1, dim));
        for (int i = 0; i <= NUM_CONV; i++) {
            convs[i].initialize(manager, dataType, new Shape(1, i == 0 ? dim : channels, 8, 8));
        }
        for (BatchNorm2dLayer bn : bns) {
            bn.initialize(manager, dataType, new Shape(1, channels, 8, 8));
        }
    }
}
