package org.m3vit.task;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/** Prediction rendering against hand-computed pixels. */
class TaskVisualizerTest {

    @Test
    void vocPaletteKnownColours() {
        assertEquals(0x000000, TaskVisualizer.vocColor(0));
        assertEquals(0x800000, TaskVisualizer.vocColor(1));
        assertEquals(0x008000, TaskVisualizer.vocColor(2));
        assertEquals(0x000080, TaskVisualizer.vocColor(4));
        assertEquals(0xC08080, TaskVisualizer.vocColor(15)); // person
    }

    @Test
    void classesNormalsSigmoidAndDepth() {
        // 1×2 image, 3 classes: pixel 0 argmax = 2, pixel 1 argmax = 1.
        BufferedImage seg = TaskVisualizer.render(Task.SEMSEG, new float[] {0, 0, 1, 5, 2, 1}, 3, 1, 2);
        assertEquals(0x008000, seg.getRGB(0, 0) & 0xffffff);
        assertEquals(0x800000, seg.getRGB(1, 0) & 0xffffff);
        // normals (0,0,2) → unit (0,0,1) → (128,128,255); (-3,0,0) → (-1,0,0) → (0,128,128)
        BufferedImage n = TaskVisualizer.render(Task.NORMALS, new float[] {0, -3, 0, 0, 2, 0}, 3, 1, 2);
        assertEquals(0x8080FF, n.getRGB(0, 0) & 0xffffff);
        assertEquals(0x008080, n.getRGB(1, 0) & 0xffffff);
        // sigmoid(0) = 0.5 → 128 (127.5 rounds up); depth min-max → 0 and 255
        BufferedImage s = TaskVisualizer.render(Task.SAL, new float[] {0f, 100f}, 1, 1, 2);
        assertEquals(0x808080, s.getRGB(0, 0) & 0xffffff);
        assertEquals(0xFFFFFF, s.getRGB(1, 0) & 0xffffff);
        BufferedImage d = TaskVisualizer.render(Task.DEPTH, new float[] {2f, 7f}, 1, 1, 2);
        assertEquals(0x000000, d.getRGB(0, 0) & 0xffffff);
        assertEquals(0xFFFFFF, d.getRGB(1, 0) & 0xffffff);
    }
}
