package org.m3vit.task;

import org.m3vit.errors.InvalidInputException;

/**
 * One task's prediction for one image in the form the reference saves it (its results layout), at the
 * ground truth's size, as interleaved (H, W, C) floats, e.g.
 * <ul>
 *   <li>semseg / human_parts: class index (uint8 PNG);</li>
 *   <li>sal / edge: 255·probability, truncated to an integer (uint8 PNG);</li>
 *   <li>normals: 255·(n + 1)/2 per channel, truncated (uint8 RGB PNG);</li>
 *   <li>depth: metres (float32 .npy).</li>
 * </ul>
 * ({@link DenseTaskSpec#decode} and {@link DenseTaskSpec#savedFormat} define it per task.) Both
 * {@code m3vit eval} and {@code m3vit score} compute metrics from this form, so scoring the saved files
 * reproduces the eval numbers (the reference also scores its saved files).
 */
public record SavedPrediction(DenseTaskSpec spec, int height, int width, float[] values) {

    public SavedPrediction {
        int expected = height * width * spec.targetChannels();
        if (values.length != expected) {
            throw InvalidInputException.field(
                    spec.id() + " prediction",
                    "has " + values.length + " values, expected " + height + "x" + width + "x" + spec.targetChannels());
        }
    }
}
