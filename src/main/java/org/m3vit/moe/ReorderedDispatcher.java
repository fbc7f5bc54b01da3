package org.m3vit.moe;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;

/**
 * M³ViT computation reordering. The (token, slot) assignments are sorted by expert into contiguous
 * per-expert queues; each non-empty expert runs one GEMM pair on its whole queue (its weights are
 * touched once per layer, however many tokens chose it), visited in ascending id through the call's
 * {@link ExpertSource}; outputs are put back in (token, slot) order
 * with the inverse permutation and combined with the gate scores by one batched matmul. Backward
 * through the row gathers is a scatter-add inside the engine. A small call on the resident weights
 * runs all queues at once instead, padded to the longest ({@link PaddedQueues}, {@link #MAX_BATCHED_ROWS}):
 * the same result, with a fraction of the engine ops.
 *
 * <p>Host synchronisation: exactly one per call, reading the E queue lengths, which the split needs.
 */
final class ReorderedDispatcher implements Dispatcher {

    static final String ID = "reordered";

    /**
     * The most rows (E × the longest queue) the batched layout may hold; beyond it the experts run one by
     * one. One batched GEMM pair saves about nine engine ops per expert (forward and backward), which is
     * what small layers are made of; it loses the bias fused into each GEMM, an extra pass over the block,
     * which is what large ones pay for. Measured with {@code bench moe} (fwd+bwd, 16 experts, top-4,
     * docs/benchmarks.md): batched 14 % faster at 2,080 rows (D=64), 16 % at 6,300 (D=192) and 7 % at
     * 8,200 (D=384); 3 % and 7 % slower at 32,800 (D=192, D=384).
     */
    static final long MAX_BATCHED_ROWS = 16_384;

    private final CapacityPolicy capacity;
    private final long maxBatchedRows;

    ReorderedDispatcher(CapacityPolicy capacity) {
        this(capacity, MAX_BATCHED_ROWS);
    }

    /** @param maxBatchedRows {@link #MAX_BATCHED_ROWS}; 0 always runs the experts one by one */
    ReorderedDispatcher(CapacityPolicy capacity, long maxBatchedRows) {
        this.capacity = capacity;
        this.maxBatchedRows = maxBatchedRows;
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
        long t = tokens.getShape().get(0);
        int k = Math.toIntExact(indices.getShape().get(1));
        int e = experts.count();
        // Ascending key: grouped by expert, highest priority first inside a group when capacity is limited.
        NDArray order = capacity.sortKey(indices, scores).argSort(0, true);
        // Slot j of token i sits at flat position i·k + j; integer-divide to find its token.
        NDArray tokenOfSlot = order.div(k).floor().toType(DataType.INT64, false);

        long[] counts = HostSync.readLongs(expertCounts); // the one host sync: queue lengths drive the split
        long cap = capacity.capacity(t, k, e);
        NDArray inverse = order.argSort(0, true);
        // The batched layout needs the stacked weights at hand, which only the resident source has; a
        // streamed source gets its experts one by one.
        PaddedQueues padded = source == ExpertSource.RESIDENT ? PaddedQueues.plan(counts, cap, maxBatchedRows) : null;
        NDArray perSlot = padded != null
                ? batched(ps, experts, tokens, tokenOfSlot, inverse, padded, training)
                : oneByOne(ps, experts, source, tokens, tokenOfSlot, inverse, counts, cap, training);
        return combineSlots(perSlot.reshape(t, k, experts.outputDim()), scores);
    }

    /** Every expert in one batched GEMM pair on the padded (E, C, in) block of their queues. */
    private static NDArray batched(
            ParameterStore ps,
            Experts experts,
            NDArray tokens,
            NDArray tokenOfSlot,
            NDArray inverse,
            PaddedQueues padded,
            boolean training) {
        NDManager m = tokens.getManager();
        Device device = tokens.getDevice();
        NDArray rowTokens =
                tokenOfSlot.get(m.create(padded.sortedPositionOfRow()).toDevice(device, false));
        NDArray block = Rows.gather(tokens, rowTokens).reshape(experts.count(), padded.capacity(), -1);
        NDArray out = experts.applyAll(ps, block, training).reshape(-1, experts.outputDim());
        NDArray rowOfSlot =
                m.create(padded.rowOfSortedPosition()).toDevice(device, false).get(inverse);
        return Rows.gather(out, rowOfSlot);
    }

    /** Each non-empty expert on its own queue, through the call's expert source, in the visit order. */
    private static NDArray oneByOne(
            ParameterStore ps,
            Experts experts,
            ExpertSource source,
            NDArray tokens,
            NDArray tokenOfSlot,
            NDArray inverse,
            long[] counts,
            long cap,
            boolean training) {
        int e = experts.count();
        NDArray queued = Rows.gather(tokens, tokenOfSlot);
        long[] splitPoints = new long[e - 1];
        long offset = 0;
        for (int i = 0; i < e - 1; i++) {
            offset += counts[i];
            splitPoints[i] = offset;
        }
        NDList queues = queued.split(splitPoints, 0);
        ExpertQueues lengths = new ExpertQueues(counts);
        NDList outputs = new NDList();
        // Empty queues are not in the order: their experts' weights are never touched (nor loaded).
        try (ExpertSource.Visit visit = source.visit(experts, lengths, ps, tokens.getDevice(), training)) {
            for (int i : lengths.order()) {
                long n = counts[i];
                long kept = Math.min(n, cap);
                NDArray queue = kept == n ? queues.get(i) : queues.get(i).get("0:{}", kept);
                outputs.add(visit.apply(i, queue));
                if (kept < n) {
                    outputs.add(tokens.getManager()
                            .zeros(new Shape(n - kept, experts.outputDim()), tokens.getDataType(), tokens.getDevice()));
                }
            }
        }
        NDArray sortedOut = outputs.size() == 1 ? outputs.get(0) : NDArrays.concat(outputs, 0);
        return Rows.gather(sortedOut, inverse);
    }

    /**
     * y_t = Σ_j scores[t, j] · perSlot[t, j]. Without autograd one batched matmul (1×k)·(k×out) per
     * token does it in one pass (measured 5 ms vs 24 ms at 8200×4×384); its backward, though, is T
     * tiny outer products (122 ms vs 48 ms for multiply-and-sum), so training uses multiply-and-sum.
     */
    static NDArray combineSlots(NDArray perSlot, NDArray scores) {
        long t = perSlot.getShape().get(0);
        long out = perSlot.getShape().get(2);
        if (scores.hasGradient() || perSlot.hasGradient()) {
            return perSlot.mul(scores.expandDims(2)).sum(new int[] {1});
        }
        return scores.expandDims(1).batchMatMul(perSlot).reshape(t, out);
    }
}
