package org.m3vit.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import org.m3vit.errors.InvalidInputException;

/**
 * Every expert on every token, combined through the dense (T, E) gate matrix: E/k times the work of
 * reordered dispatch, with no data-dependent control flow. The reference path for tests.
 */
final class DenseDispatcher implements Dispatcher {

    static final String ID = "dense";

    private final CapacityPolicy capacity;

    DenseDispatcher(CapacityPolicy capacity) {
        this.capacity = capacity;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public NDArray combine(
            ParameterStore ps,
            Experts experts,
            ExpertSource source,
            NDArray tokens,
            NDArray indices,
            NDArray scores,
            NDArray expertCounts,
            boolean training) {
        if (source != ExpertSource.RESIDENT) {
            throw InvalidInputException.key(
                    "backbone_kwargs.moe_dispatch",
                    "dense dispatch runs every expert on every token and needs the experts resident;"
                            + " streamed experts need reordered dispatch");
        }
        int e = experts.count();
        NDArray kept = capacity.limited() ? scores.mul(keepMask(indices, scores, expertCounts, e)) : scores;
        // (T, E) gate matrix: the kept score at each chosen expert, 0 elsewhere.
        NDArray gates = indices.oneHot(e)
                .toType(scores.getDataType(), false)
                .mul(kept.expandDims(2))
                .sum(new int[] {1});
        NDArray all = experts.applyAll(ps, tokens, training); // (E, T, out)
        return all.mul(gates.transpose().expandDims(2)).sum(new int[] {0});
    }

    /**
     * (T, k) 1/0 mask of the assignments that fit their expert's capacity, computed on the device:
     * an assignment's position in its expert's priority-sorted queue must be below the capacity.
     */
    private NDArray keepMask(NDArray indices, NDArray scores, NDArray expertCounts, int experts) {
        long t = indices.getShape().get(0);
        long k = indices.getShape().get(1);
        long cap = capacity.capacity(t, Math.toIntExact(k), experts);
        NDArray order = capacity.sortKey(indices, scores).argSort(0, true);
        NDArray sortedExpert = indices.reshape(-1).get(order);
        NDArray queueStart = expertCounts.cumSum(0).sub(expertCounts); // exclusive prefix sum
        NDArray position = indices.getManager()
                .arange(0, t * k, 1, DataType.INT64)
                .toDevice(indices.getDevice(), false)
                .sub(queueStart.get(sortedExpert));
        NDArray keepSorted = position.lt(cap).toType(scores.getDataType(), false);
        return keepSorted.get(order.argSort(0, true)).reshape(t, k);
    }
}
