package org.m3vit.task.dense;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Resizing predictions back to the ground truth's size, against values worked out by hand. */
class ResizeBackTest {

    @Test
    void bilinearUsesHalfPixelCentresAndClampsAtTheBorder() {
        // 2x2 → 4x4: output x = 0..3 samples source x = -0.25, 0.25, 0.75, 1.25 (cv2 INTER_LINEAR)
        float[] up = ResizeBack.bilinear(new float[] {0, 1, 2, 3}, 2, 2, 1, 4, 4);
        assertArrayEquals(new float[] {0, 0.25f, 0.75f, 1}, Arrays.copyOfRange(up, 0, 4), 1e-6f);
        assertArrayEquals(new float[] {0.5f, 0.75f, 1.25f, 1.5f}, Arrays.copyOfRange(up, 4, 8), 1e-6f);
    }

    @Test
    void nearestTakesTheFloorOfTheScaledPosition() {
        // 1x3 → 1x2: x = 0, 1 map to floor(0 * 1.5) = 0 and floor(1.5) = 1
        assertArrayEquals(new float[] {7, 8}, ResizeBack.nearest(new float[] {7, 8, 9}, 1, 3, 1, 1, 2), 0f);
    }
}
