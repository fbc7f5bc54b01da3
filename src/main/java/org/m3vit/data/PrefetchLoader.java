package org.m3vit.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Background loading for one epoch: worker threads read and augment whole batches ahead of the consumer,
 * with at most {@code depth} batches in flight (a bounded queue of futures), so disk and augmentation
 * overlap the training step. Batches come out in a fixed order (the epoch's shuffled index order), and
 * each sample's augmentation depends only on (seed, epoch, index), so the result is identical for any
 * number of workers.
 *
 * <p>Trainer use:
 * <pre>{@code
 * try (PrefetchLoader loader = new PrefetchLoader(dataset, epoch, batchSize, true, false, 2, 4)) {
 *     for (SampleBatch batch : loader) {
 *         try (NDManager step = manager.newSubManager()) {
 *             NDList arrays = batch.toNDList(step);   // on the training thread
 *             ... forward / backward ...
 *         }
 *     }
 * }
 * }</pre>
 * Workers never create NDArrays (so the thread-local grad-mode pitfall does not arise). A read or
 * augmentation failure is rethrown from {@code next()} with its message (naming the file).
 */
public final class PrefetchLoader implements Iterable<SampleBatch>, AutoCloseable {

    private final MultiTaskDataset dataset;
    private final int epoch;
    private final List<long[]> batches;
    private final ExecutorService pool;
    private final int depth;
    private int firstBatch;

    /**
     * @param shuffle   shuffle indices with a Random seeded by (dataset seed, epoch)
     * @param dropLast  drop a final incomplete batch
     * @param workers   loader threads (≥ 1)
     * @param depth     batches loaded ahead (≥ 1)
     */
    public PrefetchLoader(
            MultiTaskDataset dataset,
            int epoch,
            int batchSize,
            boolean shuffle,
            boolean dropLast,
            int workers,
            int depth) {
        if (batchSize < 1 || workers < 1 || depth < 1) {
            throw new IllegalArgumentException(
                    "batchSize, workers and depth must be >= 1, got " + batchSize + ", " + workers + ", " + depth);
        }
        this.dataset = dataset;
        this.epoch = epoch;
        this.depth = depth;
        int n = Math.toIntExact(dataset.size());
        List<Long> order = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            order.add(i);
        }
        if (shuffle) {
            Collections.shuffle(order, new Random(MultiTaskDataset.sampleSeed(dataset.seed(), epoch, -1)));
        }
        this.batches = new ArrayList<>();
        for (int start = 0; start < n; start += batchSize) {
            int end = Math.min(n, start + batchSize);
            if (end - start < batchSize && dropLast) {
                break;
            }
            long[] idx = new long[end - start];
            for (int k = start; k < end; k++) {
                idx[k - start] = order.get(k);
            }
            batches.add(idx);
        }
        this.pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "m3vit-loader");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts the iteration at batch {@code batches} of the epoch's order (the batches before it are neither
     * read nor augmented): how a run resumed from a step checkpoint continues its epoch.
     */
    public PrefetchLoader startingAt(int batches) {
        if (batches < 0 || batches > this.batches.size()) {
            throw new IllegalArgumentException(
                    "start batch " + batches + " out of range [0, " + this.batches.size() + "]");
        }
        this.firstBatch = batches;
        return this;
    }

    /** Number of batches in this epoch. */
    public int batchCount() {
        return batches.size();
    }

    private Future<SampleBatch> submit(long[] idx) {
        return pool.submit(() -> {
            List<Sample> samples = new ArrayList<>(idx.length);
            for (long i : idx) {
                try {
                    samples.add(dataset.sample(i, epoch));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return new SampleBatch(samples, dataset.taskOrder());
        });
    }

    @Override
    public Iterator<SampleBatch> iterator() {
        return new Iterator<>() {
            private final ArrayDeque<Future<SampleBatch>> inFlight = new ArrayDeque<>();
            private int nextToSubmit = firstBatch;

            {
                fill();
            }

            private void fill() {
                while (inFlight.size() < depth && nextToSubmit < batches.size()) {
                    inFlight.add(submit(batches.get(nextToSubmit++)));
                }
            }

            @Override
            public boolean hasNext() {
                return !inFlight.isEmpty();
            }

            @Override
            public SampleBatch next() {
                Future<SampleBatch> f = inFlight.poll();
                if (f == null) {
                    throw new NoSuchElementException();
                }
                try {
                    SampleBatch b = f.get();
                    fill();
                    return b;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while loading a batch", e);
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof UncheckedIOException) {
                        throw new UncheckedIOException(
                                c.getCause().getMessage(), ((UncheckedIOException) c).getCause());
                    }
                    if (c instanceof RuntimeException) {
                        throw (RuntimeException) c;
                    }
                    throw new IllegalStateException(c);
                }
            }
        };
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
