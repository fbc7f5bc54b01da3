package org.m3vit.moe;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * One layer call's per-expert queue lengths, read on the host, and the order a dispatcher visits the
 * experts in: the non-empty queues in ascending expert id (Edge-MoE's metaqueue). An expert source
 * told the order knows which expert comes after the one computing now, so it can load it meanwhile.
 */
public final class ExpertQueues {

    private final long[] lengths;
    private final int[] order;

    public ExpertQueues(long[] lengths) {
        this.lengths = lengths.clone();
        order = IntStream.range(0, lengths.length).filter(e -> lengths[e] > 0).toArray();
    }

    /** E, the number of experts. */
    public int experts() {
        return lengths.length;
    }

    /** (token, slot) assignments queued for expert {@code e}. */
    public long length(int e) {
        return lengths[e];
    }

    /** Every queue length, expert by expert (a copy). */
    public long[] lengths() {
        return lengths.clone();
    }

    /** The experts with a non-empty queue, in the order they are visited (a copy). */
    public int[] order() {
        return order.clone();
    }

    @Override
    public String toString() {
        return "ExpertQueues" + Arrays.toString(lengths);
    }
}
