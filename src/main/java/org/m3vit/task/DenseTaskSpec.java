package org.m3vit.task;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;

/**
 * A dense-prediction task: the head predicts a map with the image's resolution, and the task owns
 * everything that depends on which map it is, from the data pipeline to the loss, the metrics, the
 * saved-prediction form and the pictures. One class per task ({@code org.m3vit.task.dense}) implements it;
 * {@link Task#spec()} finds a built-in task's.
 *
 * <p>Array layouts: raw ground truth and saved predictions are interleaved (H, W, C) at the image's
 * original size; training targets and head outputs are channel-first (C, H, W) at the network size.
 * {@link Task#IGNORE} (255) marks pixels that losses and metrics skip.
 */
public interface DenseTaskSpec extends TaskSpec {

    // --- shapes

    /** Channels of the ground truth (1 for class maps and scalar maps, 3 for normals). */
    int targetChannels();

    /** True for class-index maps (semseg, human parts), whose training targets are {@code int} labels. */
    boolean isClassMap();

    /** Output channels of this task's head on a dataset (semseg: the dataset's label set). */
    int outputChannels(DatasetLayout dataset);

    /** Classes a class map counts over on a dataset; 1 for tasks that are not class maps. */
    default int classes(DatasetLayout dataset) {
        return 1;
    }

    // --- the reference input pipeline (data.Augmentation), on raw (H, W, C) ground truth

    /** How the ground truth is resampled when warped and resized. */
    default Interpolation interpolation() {
        return Interpolation.NEAREST;
    }

    /** Fixes up a horizontally flipped ground truth in place (normals: x changes sign). */
    default void afterFlip(float[] hwc) {}

    /**
     * Fixes up a ground truth warped by a rotation about the centre and a zoom, in place (normals rotate
     * with the image, depth shrinks with the zoom).
     */
    default void afterScaleRotate(float[] hwc, double angleDeg, double scale) {}

    /** Fixes up a resized ground truth in place (normals are renormalised). */
    default void afterResize(float[] hwc) {}

    /**
     * The training target of an augmented ground truth (height × width): the reference's AddIgnoreRegions
     * (invalid pixels → 255) in the loss's channel-first layout. Class maps return their class ids as
     * floats, which the pipeline turns into {@code int} labels. Never modifies {@code hwc}.
     */
    float[] toTarget(float[] hwc, int height, int width);

    // --- training

    /**
     * The reference's loss (m3vit.md §6) of a batch: a scalar.
     *
     * @param prediction the head's raw output (N, C, H, W)
     * @param target the batch's targets: (N, H, W) int64 labels for class maps, else (N, C, H, W) floats
     */
    NDArray loss(NDArray prediction, NDArray target, LossOptions options);

    /** The reference's loss weight when the config leaves it out (m3vit.md §6). */
    float defaultLossWeight(DatasetLayout dataset);

    /** A random target of the form {@link #loss} takes, for benchmarks that time the loss. */
    NDArray randomTarget(NDManager manager, int batch, int channels, int height, int width);

    // --- evaluation

    /** Whether the reference leaves this image out for this task (neither saves nor scores it). */
    boolean skips(float[] groundTruth);

    /**
     * The reference's {@code get_output} and saving code: one image's head output at the network size
     * turned into the saved prediction at the ground truth's size ({@code height × width}).
     */
    SavedPrediction decode(HeadOutput output, int height, int width);

    /** How the results layout stores this task's saved predictions. */
    PredictionFormat savedFormat();

    /** A fresh accumulator of this task's metrics on a dataset. */
    DenseMetrics newMetrics(DatasetLayout dataset);

    /** A fresh fit of the trivial baseline's constant for this task on a dataset. */
    ConstantFit newConstantFit(DatasetLayout dataset);

    // --- pictures

    /** A viewable picture of one image's head output (classes coloured, probabilities and depth grey). */
    BufferedImage render(HeadOutput output);

    /** A head output that {@link #render} draws as the ground truth, so both share one colour scheme. */
    HeadOutput groundTruthAsOutput(float[] groundTruth, int channels, int height, int width);
}
