package org.m3vit.task;

/**
 * Fits the constant that the trivial baseline predicts at every pixel for one dense task, from the raw
 * ground truth of the train split (images the reference skips are left out by the caller).
 */
public interface ConstantFit {

    /** Adds one image's raw (H, W, C) ground truth. */
    void add(float[] groundTruth);

    /** The per-pixel value in saved-prediction form ({@link SavedPrediction}), one entry per channel. */
    float[] constant();
}
