package org.m3vit.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;

/** Token level (GShard, V-MoE, M³ViT): the router sees each token's hidden state. */
public final class TokenCondition extends RoutingCondition {

    private final long dim;

    public TokenCondition(long dim) {
        this.dim = dim;
    }

    @Override
    public long featureDim() {
        return dim;
    }

    @Override
    public String id() {
        return "token";
    }

    @Override
    public RouterInput features(ParameterStore ps, NDArray x, RoutingContext ctx, boolean training) {
        return new RouterInput(flatTokens(x), null);
    }
}
