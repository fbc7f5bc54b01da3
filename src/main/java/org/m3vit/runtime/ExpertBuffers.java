package org.m3vit.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.m3vit.moe.ExpertQueues;
import org.m3vit.moe.ExpertSource;
import org.m3vit.moe.Experts;

/**
 * N expert buffers and the loader thread that fills them: the software form of M³ViT's ping-pong expert
 * buffers (m3vit.md §13). A layer call visits its non-empty experts in order; while expert i computes
 * from one buffer, the loader reads expert i+1 into another. With N = 2 that is double buffering; with
 * more, the other buffers keep recently used experts (least recently used goes first), and experts
 * pinned for the running task (its most used ones) are never evicted.
 *
 * <p>A buffer is host memory (a direct buffer, aligned). On the CPU the engine computes on it without a
 * copy; on a GPU the engine copies it to the device when the expert's turn comes (DJL exposes no copy
 * streams, so that copy is not overlapped; the storage read still is). A buffer is refilled only after
 * the expert computed from it has finished and its engine arrays are closed, so a load never overwrites
 * weights in use.
 *
 * <p>One visit at a time holds the buffers (a lock taken for the layer call); concurrent calls of one
 * predictor interleave at layer granularity, so the process never holds more than N experts.
 */
final class ExpertBuffers implements Closeable {

    private enum State {
        EMPTY,
        LOADING,
        READY,
        IN_USE
    }

    /** One buffer: which expert it holds and whether its bytes are there yet. */
    private static final class Slot {
        final ByteBuffer data;
        ExpertLayer layer;
        int expert = -1;
        State state = State.EMPTY;
        CompletableFuture<Void> loaded;
        long lastUse;

        Slot(long bytes) {
            // aligned like the engine's own allocations, so the engine sees what it sees for resident slices
            data = ByteBuffer.allocateDirect(Math.toIntExact(bytes + ExpertLayer.ALIGNMENT))
                    .alignedSlice(ExpertLayer.ALIGNMENT)
                    .order(ByteOrder.LITTLE_ENDIAN);
        }

        boolean holds(ExpertLayer l, int e) {
            return state != State.EMPTY && layer == l && expert == e;
        }

        void clear() {
            state = State.EMPTY;
            layer = null;
            expert = -1;
            loaded = null;
        }
    }

    /** (layer, expert) */
    record Key(ExpertLayer layer, int expert) {}

    private final ExpertStore store;
    private final Slot[] slots;
    private final ExecutorService loader;
    private final ReentrantLock visiting = new ReentrantLock(true);
    private final Map<ExpertLayer, LayerStats> totals = new LinkedHashMap<>();
    private final Map<ExpertLayer, AtomicLong> loadNanos = new LinkedHashMap<>();
    private Set<Key> pinned = Set.of();
    private long tick;
    private long peakHeldBytes;

    ExpertBuffers(ExpertStore store, Collection<ExpertLayer> layers, int buffers, long bufferBytes) {
        this.store = store;
        slots = new Slot[buffers];
        for (int i = 0; i < buffers; i++) {
            slots[i] = new Slot(bufferBytes);
        }
        for (ExpertLayer l : layers) {
            totals.put(l, LayerStats.zero(l));
            loadNanos.put(l, new AtomicLong());
        }
        loader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "m3vit-expert-loader");
            t.setDaemon(true);
            return t;
        });
    }

    int buffers() {
        return slots.length;
    }

    /**
     * Experts to keep once loaded (the running task's most used), at most N − 2 of them so that two buffers
     * always remain for the ping-pong.
     */
    void pin(Set<Key> keys) {
        if (keys.size() > slots.length - 2) {
            throw new IllegalArgumentException(keys.size() + " pinned experts leave no two buffers free");
        }
        visiting.lock();
        try {
            pinned = Set.copyOf(keys);
        } finally {
            visiting.unlock();
        }
    }

    /** Starts a layer call's visit; it holds the buffers until closed. */
    ExpertSource.Visit visit(
            ExpertLayer layer, Experts experts, ExpertQueues queues, Set<Integer> dropped, CallLog log) {
        visiting.lock();
        try {
            return new Visit(layer, experts, queues, dropped, log);
        } catch (RuntimeException e) {
            visiting.unlock();
            throw e;
        }
    }

    /** Totals per layer since the buffers were made, in layer order. */
    List<LayerStats> totals() {
        visiting.lock();
        try {
            return totals.entrySet().stream()
                    .map(e -> e.getValue()
                            .plus(new LayerStats(
                                    e.getKey().prefix(),
                                    e.getKey().block(),
                                    0,
                                    0,
                                    0,
                                    0,
                                    0,
                                    0,
                                    loadNanos.get(e.getKey()).get())))
                    .toList();
        } finally {
            visiting.unlock();
        }
    }

    /** The most expert bytes held at once so far. */
    long peakHeldBytes() {
        visiting.lock();
        try {
            return peakHeldBytes;
        } finally {
            visiting.unlock();
        }
    }

    @Override
    public void close() {
        loader.shutdownNow();
        try {
            loader.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One layer call's pass over its experts (the caller holds {@link #visiting}). */
    private final class Visit implements ExpertSource.Visit {
        private final ExpertLayer layer;
        private final Experts experts;
        private final int[] order;
        private final Set<Integer> dropped;
        private final CallLog log;
        private int next;
        private Slot current;
        private long computed;
        private long loads;
        private long bytes;
        private long computeNanos;
        private long stallNanos;
        private boolean closed;

        Visit(ExpertLayer layer, Experts experts, ExpertQueues queues, Set<Integer> dropped, CallLog log) {
            this.layer = layer;
            this.experts = experts;
            this.order = queues.order();
            this.dropped = dropped;
            this.log = log;
            int first = following(-1);
            if (first >= 0) {
                ensure(order[first]); // Edge-MoE loads the first expert before its loop
            }
        }

        /** Index in the order of the first expert after position {@code pos} that has weights to load. */
        private int following(int pos) {
            for (int i = pos + 1; i < order.length; i++) {
                if (!dropped.contains(order[i])) {
                    return i;
                }
            }
            return -1;
        }

        @Override
        public NDArray apply(int expert, NDArray tokens) {
            if (next >= order.length || order[next] != expert) {
                throw new IllegalStateException("experts of " + layer.prefix() + " must be visited in queue order "
                        + Arrays.toString(order) + "; got expert " + expert + " at position " + next);
            }
            int pos = next++;
            if (dropped.contains(expert)) {
                // extraction dropped it: it contributes nothing, as a capacity-dropped assignment does
                return tokens.getManager()
                        .zeros(
                                new Shape(tokens.getShape().get(0), experts.outputDim()),
                                tokens.getDataType(),
                                tokens.getDevice());
            }
            Slot s = ensure(expert);
            await(s);
            s.state = State.IN_USE;
            current = s;
            int after = following(pos);
            if (after >= 0) {
                ensure(order[after]); // the loader fills another buffer while this expert computes
            }
            long t0 = System.nanoTime();
            NDArray out = compute(s, tokens);
            computeNanos += System.nanoTime() - t0;
            computed++;
            s.state = State.READY;
            s.lastUse = ++tick;
            current = null;
            return out;
        }

        private NDArray compute(Slot s, NDArray tokens) {
            NDManager m = tokens.getManager();
            NDArray[] weights = new NDArray[layer.params().size()];
            try {
                for (int j = 0; j < weights.length; j++) {
                    ByteBuffer slice = s.data.slice(
                                    Math.toIntExact(layer.offsets()[j]), Math.toIntExact(layer.sliceBytes(j)))
                            .order(ByteOrder.LITTLE_ENDIAN);
                    // CPU: the engine array aliases the buffer (no copy); GPU: copied to the device here
                    weights[j] = m.create(slice, new Shape(layer.shapes().get(j)), DataType.FLOAT32);
                }
                return experts.applyOne(weights, tokens);
            } finally {
                // close before the buffer can be refilled: nothing may alias it after this expert
                for (NDArray w : weights) {
                    if (w != null) {
                        NDScope.unregister(w);
                        w.close();
                    }
                }
            }
        }

        /** The buffer that holds or is loading {@code expert}, starting a load if none does. */
        private Slot ensure(int expert) {
            for (Slot s : slots) {
                if (s.holds(layer, expert)) {
                    return s;
                }
            }
            Slot v = victim();
            v.layer = layer;
            v.expert = expert;
            v.state = State.LOADING;
            ByteBuffer target = v.data;
            ExpertLayer l = layer;
            AtomicLong nanos = loadNanos.get(l);
            v.loaded = CompletableFuture.runAsync(
                    () -> {
                        long t0 = System.nanoTime();
                        try {
                            store.read(l, expert, target);
                        } catch (IOException e) {
                            throw new UncheckedIOException(
                                    "cannot read expert " + l.name(expert) + " from " + store.file() + ": "
                                            + e.getMessage(),
                                    e);
                        } finally {
                            nanos.addAndGet(System.nanoTime() - t0);
                        }
                    },
                    loader);
            loads++;
            bytes += layer.bytes();
            long held = 0;
            for (Slot s : slots) {
                held += s.state == State.EMPTY ? 0 : s.layer.bytes();
            }
            peakHeldBytes = Math.max(peakHeldBytes, held);
            return v;
        }

        /** A buffer to load into: an empty one, else the least recently used one not in use or pinned. */
        private Slot victim() {
            Slot best = null;
            for (Slot s : slots) {
                settle(s);
                if (s.state == State.EMPTY) {
                    return s;
                }
                if (s.state == State.READY
                        && !pinned.contains(new Key(s.layer, s.expert))
                        && (best == null || s.lastUse < best.lastUse)) {
                    best = s;
                }
            }
            if (best != null) {
                return best;
            }
            // only a load left over from an interrupted visit is in the way: let it finish, then reuse it
            for (Slot s : slots) {
                if (s.state == State.LOADING && !pinned.contains(new Key(s.layer, s.expert))) {
                    try {
                        s.loaded.join();
                    } catch (CompletionException | CancellationException e) {
                        // its expert is not needed now
                    }
                    s.clear();
                    return s;
                }
            }
            throw new IllegalStateException(
                    "no expert buffer is free: " + slots.length + " buffers, " + pinned.size() + " pinned");
        }

        /** A finished load becomes READY (or EMPTY if it failed). */
        private void settle(Slot s) {
            if (s.state == State.LOADING && s.loaded.isDone()) {
                if (s.loaded.isCompletedExceptionally()) {
                    s.clear();
                } else {
                    s.state = State.READY;
                }
            }
        }

        /** Waits for a buffer's load; the wait is the stall the double buffering did not hide. */
        private void await(Slot s) {
            if (s.state != State.LOADING) {
                return;
            }
            long t0 = System.nanoTime();
            try {
                s.loaded.join();
            } catch (CompletionException e) {
                s.clear();
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException r) {
                    throw r;
                }
                throw e;
            } finally {
                stallNanos += System.nanoTime() - t0;
            }
            s.state = State.READY;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                if (current != null && current.state == State.IN_USE) {
                    current.state = State.READY; // the visit failed while computing: the bytes are intact
                    current.lastUse = ++tick;
                }
                LayerStats delta = new LayerStats(
                        layer.prefix(), layer.block(), 1, computed, loads, bytes, computeNanos, stallNanos, 0);
                totals.merge(layer, delta, LayerStats::plus);
                log.add(layer, delta);
            } finally {
                visiting.unlock();
            }
        }
    }
}
