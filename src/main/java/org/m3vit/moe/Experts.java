package org.m3vit.moe;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.List;

/**
 * E experts whose weights are stored stacked along a leading expert axis, as the reference stores
 * them. Dispatchers use them in one of two ways: one expert at a time on its own token queue (through
 * an {@link ExpertSource}: {@link #split} once per forward for the resident parameters, or weights
 * streamed from elsewhere through {@link #applyOne}), or {@link #applyAll} on every token.
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
     * The stacked parameters, each (E, …), in the order {@link #applyOne} takes one expert's slices of
     * them. A streamed expert source reads exactly these slices.
     */
    public final List<Parameter> stackedParameters() {
        return getDirectParameters().values();
    }

    /**
     * One expert on tokens (n, in) → (n, out), given its slices of {@link #stackedParameters()} (each
     * without the leading expert axis), wherever they are held.
     */
    public abstract NDArray applyOne(NDArray[] weights, NDArray tokens);

    /**
     * Splits the stacked weights into per-expert views once; the split's backward is a single
     * concatenation, so per-expert use costs no extra full-size gradient buffers.
     */
    public final PerExpert split(ParameterStore ps, Device device, boolean training) {
        List<Parameter> params = stackedParameters();
        int experts = count();
        NDArray[][] slices = new NDArray[params.size()][];
        for (int j = 0; j < params.size(); j++) {
            slices[j] = unstack(ps.getValue(params.get(j), device, training), experts);
        }
        return (e, tokens) -> {
            NDArray[] weights = new NDArray[slices.length];
            for (int j = 0; j < slices.length; j++) {
                weights[j] = slices[j][e];
            }
            return applyOne(weights, tokens);
        };
    }

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
