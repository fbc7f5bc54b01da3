package org.m3vit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Bilinear (align_corners=False, no antialias) resize on known grids, values computed by hand. */
class PosEmbedInterpolationTest {

    @Test
    void upsample2x2To4x4() {
        // Source [[0,1],[2,3]]; output rows sample y = 0 (clamped), 0.25, 0.75, 1 (clamped from 1.25).
        float[] out = PosEmbedInterpolation.bilinear(new float[] {0, 1, 2, 3}, 2, 2, 1, 4, 4);
        assertArrayEquals(
                new float[] {
                    0f, 0.25f, 0.75f, 1f,
                    0.5f, 0.75f, 1.25f, 1.5f,
                    1.5f, 1.75f, 2.25f, 2.5f,
                    2f, 2.25f, 2.75f, 3f
                },
                out,
                1e-6f);
    }

    @Test
    void downsample4x4To2x2HasNoAntialiasing() {
        // Sample points 0.5 and 2.5: plain means of 2×2 neighbourhoods of 0..15 (torch; an antialiased
        // resize would blend wider neighbourhoods).
        float[] src = new float[16];
        for (int i = 0; i < 16; i++) {
            src[i] = i;
        }
        assertArrayEquals(
                new float[] {2.5f, 4.5f, 10.5f, 12.5f}, PosEmbedInterpolation.bilinear(src, 4, 4, 1, 2, 2), 1e-6f);
    }

    @Test
    void channelsAreInterpolatedIndependentlyAndNonSquareTargets() {
        // 2×2 grid, 2 channels: channel 1 = 10 × channel 0. Target 1×3: y = 0.5 → mean of the rows;
        // x = 0 (clamped from -1/6), 2/3·... computed: sx = (2/3)(x+0.5) - 0.5 → 0 (clamped), 0.5, 1 (clamped
        // 1.1667→x0=1).
        float[] src = {0, 0, 1, 10, 2, 20, 3, 30};
        float[] out = PosEmbedInterpolation.bilinear(src, 2, 2, 2, 1, 3);
        assertArrayEquals(new float[] {1f, 10f, 1.5f, 15f, 2f, 20f}, out, 1e-6f);
    }

    @Test
    void clsKeptDistDroppedGridResized() {
        // tokens: cls, dist, then a 2×2 grid (one channel); resized to 4×4 as above.
        float[] pe = {-7f, 99f, 0f, 1f, 2f, 3f};
        float[] out = PosEmbedInterpolation.resize(pe, 6, 1, 2, 4, 4);
        assertArrayEquals(
                new float[] {
                    -7f, 0f, 0.25f, 0.75f, 1f, 0.5f, 0.75f, 1.25f, 1.5f, 1.5f, 1.75f, 2.25f, 2.5f, 2f, 2.25f, 2.75f, 3f
                },
                out,
                1e-6f);
        assertThrows(IllegalArgumentException.class, () -> PosEmbedInterpolation.resize(new float[6], 6, 1, 1, 2, 2));
    }
}
