package org.m3vit.moe;

import ai.djl.ndarray.NDArray;

/** Exposes package-private gate math to tests in other packages. */
public final class GateTestAccess {

    private GateTestAccess() {}

    public static NDArray cvSquared(NDArray x) {
        return Gate.cvSquared(x);
    }
}
