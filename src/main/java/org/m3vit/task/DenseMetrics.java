package org.m3vit.task;

import java.io.Serializable;
import java.util.Map;

/**
 * One dense task's metrics, accumulated over a split from saved predictions against raw ground truth. The
 * caller has checked sizes and the reference's skip rule ({@link DenseTaskSpec#skips}).
 *
 * <p>Accumulators are serialisable and mergeable, so a split can be scored in parts (one per Spark
 * partition, say) and the parts combined: merging the accumulators of two disjoint sets of images gives
 * the accumulator of their union.
 */
public interface DenseMetrics extends Serializable {

    /**
     * @param prediction in saved-prediction form, at the ground truth's size
     * @param groundTruth raw (H, W, C) interleaved, as {@code data.RawSample} stores it
     */
    void add(SavedPrediction prediction, float[] groundTruth);

    /** Metric key → value, keys as in the metrics JSON, in a fixed order. */
    Map<String, Double> metrics();

    /**
     * Adds another accumulator of the same task and dataset (the images it saw) to this one; {@code other}
     * is left unchanged.
     */
    void merge(DenseMetrics other);

    /** {@code other} as this accumulator's own class, or an error naming both (for {@link #merge}). */
    static <T extends DenseMetrics> T sameKind(Class<T> kind, DenseMetrics other) {
        if (!kind.isInstance(other)) {
            throw new IllegalArgumentException("cannot merge "
                    + (other == null ? "null" : other.getClass().getName()) + " into " + kind.getName());
        }
        return kind.cast(other);
    }
}
