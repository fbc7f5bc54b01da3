package org.m3vit.task.dense;

import java.util.Arrays;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.Task;

/**
 * Human parts: background + head, torso, upper arm, lower arm, upper leg, lower leg. An image without
 * any part says nothing about parts, so it is ignored in training and skipped in evaluation.
 */
public final class HumanPartsSpec extends ClassMapSpec {

    /** Background and the six parts. */
    public static final int CLASSES = 7;

    @Override
    public String id() {
        return "human_parts";
    }

    @Override
    public int classes(DatasetLayout dataset) {
        return CLASSES;
    }

    @Override
    public float defaultLossWeight(DatasetLayout dataset) {
        return 2f;
    }

    /** AddIgnoreRegions: a map without any part (all background) becomes all ignore. */
    @Override
    public float[] toTarget(float[] hwc, int height, int width) {
        for (float v : hwc) {
            if (Math.round(v) != 0) {
                return hwc;
            }
        }
        float[] ignored = new float[hwc.length];
        Arrays.fill(ignored, Task.IGNORE);
        return ignored;
    }

    /** Besides all-ignore maps, the reference skips images without any part (all 0). */
    @Override
    public boolean skips(float[] groundTruth) {
        return super.skips(groundTruth) || DenseArrays.all(groundTruth, 0f);
    }
}
