package org.m3vit.accel;

import java.util.ArrayList;
import java.util.List;

/**
 * Edge-MoE's ping-pong: two buffers, each the size of one expert linear. While the array computes with one
 * buffer, the next weights load into the other: fc2 of expert e while fc1 of e computes, fc1 of the next
 * non-empty expert while fc2 of e computes. Attention, dense, router and head weights alternate the same way,
 * in buffer-sized chunks, across layer boundaries. An MoE layer's expert loads wait for its gate, because
 * the queues are known only then.
 *
 * <p>The timeline is simulated in whole cycles with two resources, the transfer channel and the array:
 * a load starts when the channel is free, its buffer has been released (the computation that used it
 * finished) and, for experts, the gate is done; a computation starts when its load has arrived and the array
 * is free. A chunk that moves nothing (attention's q·kᵀ and attn·v with activations on chip) takes no buffer.
 * Each op's transfer and compute cycles are those of the serial schedules, split over its chunks, so this
 * schedule is never slower than {@link ReorderedSchedule}.
 */
public final class DoubleBufferedSchedule implements Schedule {

    @Override
    public String name() {
        return "double_buffered";
    }

    @Override
    public long storageBytes(Accelerator a, Workload w) {
        return 2 * a.pingPongBufferBytes() + a.queueBytes();
    }

    /** One buffer load and the computation that uses it. */
    private record Chunk(
            int layer, boolean moves, long loadCycles, long computeCycles, boolean waitsForGate, boolean isGate) {}

    @Override
    public ScheduleResult run(Accelerator a, Workload w) {
        HardwareProfile hw = a.hardware();
        List<Tally> tallies = new ArrayList<>();
        List<Chunk> chunks = new ArrayList<>();
        for (int li = 0; li < w.layers().size(); li++) {
            Layer layer = w.layers().get(li);
            Tally t = new Tally(a);
            tallies.add(t);
            List<Step> steps = layer.steps();
            for (int si = 0; si < steps.size(); si++) {
                Step s = steps.get(si);
                long bytes = a.weightBytes(s) + a.activationTransferBytes(s);
                t.moved(bytes);
                t.energyOfWork(s, a.weightBytes(s));
                long n = Math.max(1, ceilDiv(a.weightBytes(s), a.pingPongBufferBytes()));
                long load = hw.transferCycles(bytes);
                long compute = hw.computeCycles(s.macs());
                boolean gate = layer.isMoe() && si == steps.size() - 1; // an MoE layer's ops end with its gate
                for (long j = 0; j < n; j++) {
                    chunks.add(new Chunk(
                            li, bytes > 0, share(load, n, j), share(compute, n, j), false, gate && j == n - 1));
                }
            }
            if (layer.isMoe()) {
                int[] q = layer.queueLengths();
                for (int e = 0; e < q.length; e++) {
                    if (q[e] == 0) {
                        continue;
                    }
                    addExpertLinear(a, t, chunks, li, w.expert().fc1().times(q[e]), a.fc1Bytes());
                    addExpertLinear(a, t, chunks, li, w.expert().fc2().times(q[e]), a.fc2Bytes());
                }
            }
        }
        simulate(chunks, tallies);
        List<LayerCost> layers = new ArrayList<>();
        for (int li = 0; li < w.layers().size(); li++) {
            layers.add(tallies.get(li).finish(w.layers().get(li)));
        }
        return Schedule.result(this, a, w, layers);
    }

    private static void addExpertLinear(
            Accelerator a, Tally t, List<Chunk> chunks, int layer, Step s, long weightBytes) {
        long bytes = weightBytes + a.activationTransferBytes(s);
        t.moved(bytes);
        t.energyOfWork(s, weightBytes);
        chunks.add(new Chunk(
                layer, true, a.hardware().transferCycles(bytes), a.hardware().computeCycles(s.macs()), true, false));
    }

    /** Plays the chunks on the channel and the array; adds each chunk's wait and work to its layer. */
    private static void simulate(List<Chunk> chunks, List<Tally> tallies) {
        long channelFree = 0;
        long arrayFree = 0;
        long gateDone = 0;
        long[] bufferFree = {0, 0};
        int nextBuffer = 0;
        for (Chunk c : chunks) {
            long start = arrayFree;
            if (c.moves()) {
                int b = nextBuffer;
                nextBuffer = 1 - nextBuffer;
                long loadStart = Math.max(channelFree, Math.max(bufferFree[b], c.waitsForGate() ? gateDone : 0));
                long loaded = loadStart + c.loadCycles();
                channelFree = loaded;
                start = Math.max(loaded, arrayFree);
                bufferFree[b] = start + c.computeCycles();
            }
            Tally t = tallies.get(c.layer());
            t.addStall(start - arrayFree);
            t.addCompute(c.computeCycles());
            arrayFree = start + c.computeCycles();
            if (c.isGate()) {
                gateDone = arrayFree;
            }
        }
    }

    /** The j-th of n near-equal integer parts of total (they sum to total). */
    private static long share(long total, long n, long j) {
        return total / n + (j < total % n ? 1 : 0);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
