package org.m3vit.task;

import java.util.Map;

/**
 * One dense task's metrics, accumulated over a split from saved predictions against raw ground truth. The
 * caller has checked sizes and the reference's skip rule ({@link DenseTaskSpec#skips}).
 */
public interface DenseMetrics {

    /**
     * @param prediction in saved-prediction form, at the ground truth's size
     * @param groundTruth raw (H, W, C) interleaved, as {@code data.RawSample} stores it
     */
    void add(SavedPrediction prediction, float[] groundTruth);

    /** Metric key → value, keys as in the metrics JSON, in a fixed order. */
    Map<String, Double> metrics();
}
