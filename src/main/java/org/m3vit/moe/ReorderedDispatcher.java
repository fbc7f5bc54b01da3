package org.m3vit.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

/**
 * M³ViT computation reordering. The (token, slot) assignments are sorted by expert into contiguous
 * per-expert queues; each non-empty expert runs one GEMM pair on its whole queue (its weights are
 * touched once per layer, however many tokens chose it); outputs are scaled by the gate scores and
 * put back in token order with the inverse permutation. Backward through the gathers is a
 * scatter-add inside the engine.
 *
 * <p>Host synchronisation: exactly one per call, reading the E queue lengths, which the split needs.
 */
final class ReorderedDispatcher implements Dispatcher {

    private final CapacityPolicy capacity;

    ReorderedDispatcher(CapacityPolicy capacity) {
        this.capacity = capacity;
    }

    @Override
    public DispatchMode mode() {
        return DispatchMode.REORDERED;
    }

    @Override
    public NDArray combine(ParameterStore ps, Experts experts, NDArray tokens, NDArray indices, NDArray scores,
            NDArray expertCounts, boolean training) {
        long t = tokens.getShape().get(0);
        int k = Math.toIntExact(indices.getShape().get(1));
        int e = experts.count();
        // Ascending key: grouped by expert, highest priority first inside a group when capacity is limited.
        NDArray order = capacity.sortKey(indices, scores).argSort(0, true);
        // Slot j of token i sits at flat position i·k + j; integer-divide to find its token.
        NDArray tokenOfSlot = order.div(k).floor().toType(DataType.INT64, false);
        NDArray queued = tokens.get(tokenOfSlot);

        long[] counts = expertCounts.toLongArray(); // the one host sync: queue lengths drive the split
        long cap = capacity.capacity(t, k, e);
        long[] splitPoints = new long[e - 1];
        long offset = 0;
        for (int i = 0; i < e - 1; i++) {
            offset += counts[i];
            splitPoints[i] = offset;
        }
        NDList queues = queued.split(splitPoints, 0);
        Experts.PerExpert perExpert = experts.split(ps, tokens.getDevice(), training);
        NDList outputs = new NDList();
        for (int i = 0; i < e; i++) {
            long n = counts[i];
            if (n == 0) {
                continue; // empty queue: this expert's weights are never touched
            }
            long kept = Math.min(n, cap);
            NDArray queue = kept == n ? queues.get(i) : queues.get(i).get("0:{}", kept);
            outputs.add(perExpert.apply(i, queue));
            if (kept < n) {
                outputs.add(tokens.getManager().zeros(new Shape(n - kept, experts.outputDim()),
                        tokens.getDataType(), tokens.getDevice()));
            }
        }
        NDArray sortedOut = outputs.size() == 1 ? outputs.get(0) : NDArrays.concat(outputs, 0);
        NDArray sortedScores = scores.reshape(-1).get(order);
        NDArray weighted = sortedOut.mul(sortedScores.expandDims(1));
        NDArray inverse = order.argSort(0, true);
        return weighted.get(inverse).reshape(t, k, experts.outputDim()).sum(new int[] {1});
    }
}
