package org.m3vit.report;

import java.util.Map;
import org.m3vit.task.Task;

/**
 * One image for the example grid, all at the same size (H, W).
 *
 * @param image RGB (H, W, 3) interleaved in [0, 255]
 * @param groundTruth task → (H, W, C) target as {@link org.m3vit.data.RawSample} stores it
 * @param outputs task → raw head output (C, H, W), as {@link org.m3vit.task.HeadOutput} holds it
 * @param channels task → C of its head
 */
public record ExamplePrediction(
        String id,
        int height,
        int width,
        float[] image,
        Map<Task, float[]> groundTruth,
        Map<Task, float[]> outputs,
        Map<Task, Integer> channels) {}
