package org.m3vit.train;

/**
 * Where a {@link TrainingLoop} gets its batches: a fixed number of steps per epoch, and each epoch's batches
 * in an order that depends only on the run's seed and the epoch (so a resumed run takes the same steps).
 *
 * @param <B> the batch type its {@link TrainingStep} takes
 */
public interface BatchSource<B> {

    /** Steps (batches) in every epoch; at least 1. */
    long stepsPerEpoch();

    /**
     * The batches of epoch {@code epoch} (from 0), in order, from batch {@code firstStep} on (0 for a whole
     * epoch; more when a step checkpoint resumes it); closing it releases any background workers.
     */
    Epoch<B> epoch(int epoch, int firstStep);

    /** One epoch's batches. */
    interface Epoch<B> extends Iterable<B>, AutoCloseable {
        @Override
        void close();
    }
}
