package org.m3vit.serve;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.m3vit.infer.ModelInput;
import org.m3vit.io.Tensor;
import org.m3vit.task.Task;

/**
 * Micro-batching: requests for the same model and task wait in one queue, and a worker runs them together
 * in one forward pass of up to {@code maxBatch} images. A queue is run when it holds a full batch, or when
 * its oldest request has waited {@code maxDelay}; among runnable queues the one with the oldest request
 * goes first, so no queue starves. All queues together hold at most {@code capacity} waiting images: past
 * that, {@link #submit} refuses with a 503, which tells clients to back off instead of letting latency grow
 * without bound. {@link #shutdown} stops accepting and runs everything already queued.
 */
final class MicroBatcher {

    /** A model and one task's pathway, or {@code task == null} for all pathways at once (shared prefix). */
    record Key(ServedModel model, Task task) {
        String taskLabel() {
            return task == null ? TaskSelection.ALL : task.id();
        }
    }

    /** One request's share of a batch; completes with task → (n, C, H, W) for its n images. */
    private record Job(List<ModelInput> inputs, long enqueued, CompletableFuture<Map<Task, Tensor>> result) {}

    private static final class KeyQueue {
        final ArrayDeque<Job> jobs = new ArrayDeque<>();
        int images;
    }

    private final int maxBatch;
    private final long maxDelayNanos;
    private final int capacity;
    private final ServerMetrics metrics;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<Key, KeyQueue> queues = new LinkedHashMap<>();
    private final Map<ServedModel, Key> lastKey = new LinkedHashMap<>();
    private final List<Thread> workers = new ArrayList<>();
    private int waitingImages;
    private boolean closing;

    MicroBatcher(ServerSettings s, ServerMetrics metrics) {
        this.maxBatch = s.maxBatch();
        this.maxDelayNanos = s.maxDelay().toNanos();
        this.capacity = s.queueCapacity();
        this.metrics = metrics;
        metrics.queueDepth(this::waitingImages);
        for (int i = 0; i < s.workers(); i++) {
            Thread t = new Thread(this::work, "m3vit-batch-" + i);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
    }

    /**
     * Queues {@code inputs} for one forward pass of {@code key}; the future completes with this request's
     * slice of the batch's outputs, or exceptionally with the forward pass's failure. A 503 if the queues
     * are full or the server is shutting down. Cancelling the future drops the request if it is still
     * waiting.
     */
    CompletableFuture<Map<Task, Tensor>> submit(Key key, List<ModelInput> inputs) {
        CompletableFuture<Map<Task, Tensor>> f = new CompletableFuture<>();
        lock.lock();
        try {
            if (closing) {
                throw ServeException.unavailable("the server is shutting down", 1);
            }
            if (waitingImages + inputs.size() > capacity) {
                throw ServeException.unavailable(
                        "the queue is full (" + waitingImages + " of " + capacity + " images waiting); retry later", 1);
            }
            KeyQueue q = queues.computeIfAbsent(key, k -> new KeyQueue());
            q.jobs.addLast(new Job(inputs, System.nanoTime(), f));
            q.images += inputs.size();
            waitingImages += inputs.size();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        return f;
    }

    int waitingImages() {
        lock.lock();
        try {
            return waitingImages;
        } finally {
            lock.unlock();
        }
    }

    /** Stops accepting, runs what is queued, and waits up to {@code timeoutMillis} for the workers to finish. */
    void shutdown(long timeoutMillis) throws InterruptedException {
        lock.lock();
        try {
            closing = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        long end = System.currentTimeMillis() + timeoutMillis;
        for (Thread t : workers) {
            t.join(Math.max(1, end - System.currentTimeMillis()));
        }
    }

    private void work() {
        while (true) {
            Map.Entry<Key, List<Job>> batch;
            try {
                batch = next();
            } catch (InterruptedException e) {
                return;
            }
            if (batch == null) {
                return;
            }
            run(batch.getKey(), batch.getValue());
        }
    }

    /** Waits for a runnable queue and takes a batch from it; null once closing and empty. */
    private Map.Entry<Key, List<Job>> next() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                long now = System.nanoTime();
                Key best = null;
                long bestEnqueued = Long.MAX_VALUE;
                long wake = Long.MAX_VALUE;
                for (Map.Entry<Key, KeyQueue> e : queues.entrySet()) {
                    KeyQueue q = e.getValue();
                    dropCancelled(q);
                    if (q.jobs.isEmpty()) {
                        continue;
                    }
                    long first = q.jobs.peekFirst().enqueued;
                    boolean runnable = closing || q.images >= maxBatch || now - first >= maxDelayNanos;
                    if (runnable && first < bestEnqueued) {
                        best = e.getKey();
                        bestEnqueued = first;
                    } else if (!runnable) {
                        wake = Math.min(wake, first + maxDelayNanos);
                    }
                }
                if (best != null) {
                    return Map.entry(best, take(queues.get(best)));
                }
                if (closing && waitingImages == 0) {
                    changed.signalAll();
                    return null;
                }
                if (wake == Long.MAX_VALUE) {
                    changed.await();
                } else {
                    changed.awaitNanos(Math.max(1, wake - now));
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Jobs whose request gave up (timed out) are dropped before they cost a forward pass. */
    private void dropCancelled(KeyQueue q) {
        q.jobs.removeIf(j -> {
            if (j.result.isDone()) {
                q.images -= j.inputs.size();
                waitingImages -= j.inputs.size();
                return true;
            }
            return false;
        });
    }

    /** Up to maxBatch images of whole requests, oldest first; a first request larger than that goes alone. */
    private List<Job> take(KeyQueue q) {
        List<Job> out = new ArrayList<>();
        int images = 0;
        while (!q.jobs.isEmpty()) {
            Job j = q.jobs.peekFirst();
            if (!out.isEmpty() && images + j.inputs.size() > maxBatch) {
                break;
            }
            q.jobs.pollFirst();
            out.add(j);
            images += j.inputs.size();
        }
        q.images -= images;
        waitingImages -= images;
        return out;
    }

    private void run(Key key, List<Job> jobs) {
        List<ModelInput> inputs = new ArrayList<>();
        for (Job j : jobs) {
            inputs.addAll(j.inputs);
        }
        String model = key.model().name();
        metrics.batch(model, key.taskLabel(), inputs.size());
        countTaskSwitch(key);
        Map<Task, Tensor> out;
        try {
            ModelRunner runner = key.model().runner();
            out = key.task() == null ? runner.runAll(inputs) : Map.of(key.task(), runner.run(inputs, key.task()));
        } catch (RuntimeException | Error e) {
            jobs.forEach(j -> j.result.completeExceptionally(e));
            return;
        }
        if (jobs.size() == 1) { // the whole batch is one request's: no copy
            jobs.get(0).result.complete(out);
            return;
        }
        int offset = 0;
        for (Job j : jobs) {
            Map<Task, Tensor> mine = new LinkedHashMap<>();
            for (Map.Entry<Task, Tensor> e : out.entrySet()) {
                mine.put(e.getKey(), rows(e.getValue(), offset, j.inputs.size()));
            }
            offset += j.inputs.size();
            j.result.complete(mine);
        }
    }

    private void countTaskSwitch(Key key) {
        boolean switched;
        lock.lock();
        try {
            Key previous = lastKey.put(key.model(), key);
            switched = previous != null && !previous.equals(key);
        } finally {
            lock.unlock();
        }
        if (switched) {
            metrics.taskSwitch(key.model().name());
        }
    }

    /** Rows [from, from + n) of an (N, ...) tensor. */
    static Tensor rows(Tensor t, int from, int n) {
        long[] shape = t.shape().clone();
        int per = (int) (t.numel() / shape[0]);
        shape[0] = n;
        float[] v = new float[n * per];
        System.arraycopy(t.floats(), from * per, v, 0, n * per);
        return Tensor.of(shape, v);
    }
}
