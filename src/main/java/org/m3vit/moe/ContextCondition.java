package org.m3vit.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;

/**
 * Context level (Uni-Perceiver-MoE): the router sees a global summary of each sequence, the mean of
 * its token states, so every token of a sequence takes the same experts.
 */
public final class ContextCondition extends RoutingCondition {

    private final long dim;

    public ContextCondition(long dim) {
        this.dim = dim;
    }

    @Override
    public long featureDim() {
        return dim;
    }

    @Override
    public String id() {
        return "context";
    }

    @Override
    public RouterInput features(ParameterStore ps, NDArray x, RoutingContext ctx, boolean training) {
        long b = x.getShape().get(0);
        long l = x.getShape().get(1);
        NDArray pooled = x.mean(new int[] {1});
        long[] rowOfToken = new long[Math.toIntExact(b * l)];
        for (int i = 0; i < rowOfToken.length; i++) {
            rowOfToken[i] = i / l;
        }
        return new RouterInput(pooled, x.getManager().create(rowOfToken).toDevice(x.getDevice(), false));
    }
}
