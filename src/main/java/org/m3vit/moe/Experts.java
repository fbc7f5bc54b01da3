package org.m3vit.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * E experts whose weights are stored stacked along a leading expert axis, as the reference stores
 * them. Dispatchers use them in one of two ways: {@link #split} once per forward and then one expert
 * at a time on its own token queue, or {@link #applyAll} on every token.
 */
public abstract class Experts extends AbstractBlock {

    /** One forward's view of the experts, each usable on its own token queue. */
    public interface PerExpert {
        /** Expert {@code e} on tokens (n, in) → (n, out). */
        NDArray apply(int e, NDArray tokens);
    }

    public abstract int count();

    public abstract long inputDim();

    public abstract long outputDim();

    /**
     * Splits the stacked weights into per-expert views once; the split's backward is a single
     * concatenation, so per-expert use costs no extra full-size gradient buffers.
     */
    public abstract PerExpert split(ParameterStore ps, ai.djl.Device device, boolean training);

    /** Every expert on every token: (T, in) → (E, T, out). */
    public abstract NDArray applyAll(ParameterStore ps, NDArray tokens, boolean training);

    /** Splits a stacked (E, …) tensor into E views without the leading axis. */
    static NDArray[] unstack(NDArray stacked, int experts) {
        NDList parts = stacked.split(experts, 0);
        NDArray[] out = new NDArray[experts];
        for (int e = 0; e < experts; e++) {
            out[e] = parts.get(e).squeeze(0);
        }
        return out;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(applyAll(ps, inputs.singletonOrThrow(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(count(), inputShapes[0].get(0), outputDim())};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        // parameters only
    }
}
