package org.m3vit.task.dense;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;
import org.m3vit.task.HeadOutput;
import org.m3vit.task.Task;

/** Prediction rendering against hand-computed pixels. */
class RenderTest {

    @Test
    void vocPaletteKnownColours() {
        assertEquals(0x000000, Renderings.vocColor(0));
        assertEquals(0x800000, Renderings.vocColor(1));
        assertEquals(0x008000, Renderings.vocColor(2));
        assertEquals(0x000080, Renderings.vocColor(4));
        assertEquals(0xC08080, Renderings.vocColor(15)); // person
    }

    private static BufferedImage render(Task t, float[] out, int channels) {
        return t.spec().render(new HeadOutput(out, channels, 1, 2));
    }

    @Test
    void classesNormalsSigmoidAndDepth() {
        // 1×2 image, 3 classes: pixel 0 argmax = 2, pixel 1 argmax = 1.
        BufferedImage seg = render(Task.SEMSEG, new float[] {0, 0, 1, 5, 2, 1}, 3);
        assertEquals(0x008000, seg.getRGB(0, 0) & 0xffffff);
        assertEquals(0x800000, seg.getRGB(1, 0) & 0xffffff);
        // normals (0,0,2) → unit (0,0,1) → (128,128,255); (-3,0,0) → (-1,0,0) → (0,128,128)
        BufferedImage n = render(Task.NORMALS, new float[] {0, -3, 0, 0, 2, 0}, 3);
        assertEquals(0x8080FF, n.getRGB(0, 0) & 0xffffff);
        assertEquals(0x008080, n.getRGB(1, 0) & 0xffffff);
        // sigmoid(0) = 0.5 → 128 (127.5 rounds up); depth min-max → 0 and 255
        BufferedImage s = render(Task.SAL, new float[] {0f, 100f}, 1);
        assertEquals(0x808080, s.getRGB(0, 0) & 0xffffff);
        assertEquals(0xFFFFFF, s.getRGB(1, 0) & 0xffffff);
        BufferedImage d = render(Task.DEPTH, new float[] {2f, 7f}, 1);
        assertEquals(0x000000, d.getRGB(0, 0) & 0xffffff);
        assertEquals(0xFFFFFF, d.getRGB(1, 0) & 0xffffff);
    }
}
