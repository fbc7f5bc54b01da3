package org.m3vit.accel;

import java.util.ArrayList;
import java.util.List;

/**
 * A hardware profile applied to a workload's shapes: the sizes of the expert buffers and the token queues,
 * and which ops keep their activations on chip. The activation plan is the same for every schedule (it is
 * decided against the smallest weight storage, the double-buffered one), so the schedules differ only in how
 * they move weights.
 */
public final class Accelerator {

    /** A queue entry: token index (2 bytes), expert id (2 bytes) and the gate score (one activation value). */
    static final int QUEUE_ENTRY_INDEX_BYTES = 4;

    private final HardwareProfile hw;
    private final long fc1Bytes;
    private final long fc2Bytes;
    private final long queueBytes;
    private final long activationSpace;
    private final long activationBytes;
    private final long backboneActivationBytes;

    public Accelerator(HardwareProfile hw, Workload w) {
        this.hw = hw;
        fc1Bytes = w.expert().fc1().params() * hw.weightBytes();
        fc2Bytes = w.expert().fc2().params() * hw.weightBytes();
        // Reordering keeps the (token, expert, score) triples of the whole layer, sorted by expert: top_k · L
        // entries, whatever E is (a counting pass finds each expert's run; no per-expert arrays).
        queueBytes = (long) w.topK() * w.tokens() * (QUEUE_ENTRY_INDEX_BYTES + hw.activationBytes());
        activationSpace = hw.onchipBytes() - 2 * pingPongBufferBytes() - queueBytes;
        List<Step> backbone = new ArrayList<>();
        List<Step> head = new ArrayList<>();
        w.layers().forEach(l -> (l.backbone() ? backbone : head).addAll(l.steps()));
        backbone.add(w.expert().fc1());
        backbone.add(w.expert().fc2());
        backboneActivationBytes = largestResident(backbone);
        activationBytes = Math.max(backboneActivationBytes, largestResident(head));
    }

    private long largestResident(List<Step> steps) {
        long most = 0;
        for (Step s : steps) {
            if (!spills(s)) {
                most = Math.max(most, s.footprintValues() * hw.activationBytes());
            }
        }
        return most;
    }

    public HardwareProfile hardware() {
        return hw;
    }

    public long weightBytes(Step s) {
        return s.params() * hw.weightBytes();
    }

    public long fc1Bytes() {
        return fc1Bytes;
    }

    public long fc2Bytes() {
        return fc2Bytes;
    }

    /** One whole expert, as the reordered schedule loads it. */
    public long expertBytes() {
        return fc1Bytes + fc2Bytes;
    }

    /** One of the two ping-pong buffers: it holds either linear of an expert (Edge-MoE: W1,b1 in ping; W2,b2 in pong). */
    public long pingPongBufferBytes() {
        return Math.max(fc1Bytes, fc2Bytes);
    }

    public long queueBytes() {
        return queueBytes;
    }

    /** On-chip bytes left for activations next to the double-buffered weights and the queues (may be negative). */
    public long activationSpace() {
        return activationSpace;
    }

    /** The largest working set among the ops whose activations stay on chip. */
    public long activationBytes() {
        return activationBytes;
    }

    /** The same over the backbone's ops only (Edge-MoE's design has no dense-prediction head). */
    public long backboneActivationBytes() {
        return backboneActivationBytes;
    }

    /** True when the op's working set does not fit the activation space, so its input and output go off chip. */
    public boolean spills(Step s) {
        return s.footprintValues() * hw.activationBytes() > activationSpace;
    }

    /**
     * Activation bytes the op moves to or from off-chip memory: the image (8-bit pixels) and the prediction
     * always; the input and output of an op that spills.
     */
    public long activationTransferBytes(Step s) {
        long ab = hw.activationBytes();
        boolean spill = spills(s);
        long in = s.readsImage() ? s.valuesIn() : spill ? s.valuesIn() * ab : 0;
        long out = s.writesPrediction() || spill ? s.valuesOut() * ab : 0;
        return in + out;
    }

    /** Activation bytes the op reads and writes in on-chip buffers (its input and output, once each). */
    public long activationAccessBytes(Step s) {
        return (s.readsImage() ? s.valuesIn() : s.valuesIn() * hw.activationBytes())
                + s.valuesOut() * hw.activationBytes();
    }

    /**
     * How many whole experts the token-order schedule can cache: what is left next to the activations, at
     * least the one expert it computes with, at most all E.
     */
    public int tokenOrderCacheExperts(int experts) {
        long free = hw.onchipBytes() - activationBytes;
        return (int) Math.max(1, Math.min(experts, free / expertBytes()));
    }
}
