package org.m3vit.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.m3vit.task.Interpolation;

class ResamplingTest {

    private static float[] ramp(int h, int w, int c) {
        float[] a = new float[h * w * c];
        for (int i = 0; i < a.length; i++) {
            a[i] = i * 0.5f + 1;
        }
        return a;
    }

    @Test
    void rotationMatrixMatchesOpenCvFormula() {
        // cv2.getRotationMatrix2D((2, 2), 90, 1) = [[0, 1, 0], [-1, 0, 4]] (up to rounding of cos 90°).
        double[] m = Resampling.rotationMatrix(2, 2, 90, 1);
        double[] expected = {0, 1, 0, -1, 0, 4};
        for (int i = 0; i < 6; i++) {
            assertEquals(expected[i], m[i], 1e-12, "m[" + i + "]");
        }
        // Pure scaling by 2 about (3, 1): x' = 2x - 3, y' = 2y - 1.
        double[] s = Resampling.rotationMatrix(3, 1, 0, 2);
        assertArrayEquals(new double[] {2, 0, -3, 0, 2, -1}, s, 1e-12);
    }

    @Test
    void ninetyDegreeWarpMovesRightMiddleToTopMiddle() {
        int n = 5;
        float[] src = new float[n * n];
        src[2 * n + 4] = 9; // (x=4, y=2): middle of the right edge
        src[0] = 5; // top-left corner
        double[] m = Resampling.rotationMatrix(2, 2, 90, 1);
        for (Interpolation interp : Interpolation.values()) {
            float[] out = Resampling.warpAffine(src, n, n, 1, m, interp);
            assertEquals(9f, out[0 * n + 2], 1e-5, interp + ": right-middle goes to top-middle under a CCW turn");
            assertEquals(5f, out[4 * n + 0], 1e-5, interp + ": top-left goes to bottom-left");
            float sum = 0;
            for (float v : out) {
                sum += v;
            }
            assertEquals(14f, sum, 1e-4, interp + ": nothing else is lit");
        }
    }

    @Test
    void identityWarpIsExactForBothKernelsAndBorderIsZero() {
        int h = 4;
        int w = 6;
        float[] src = ramp(h, w, 3);
        double[] id = Resampling.rotationMatrix(w / 2.0, h / 2.0, 0, 1);
        assertArrayEquals(src, Resampling.warpAffine(src, h, w, 3, id, Interpolation.NEAREST));
        float[] cubic = Resampling.warpAffine(src, h, w, 3, id, Interpolation.CUBIC);
        for (int i = 0; i < src.length; i++) {
            assertEquals(src[i], cubic[i], 1e-5);
        }
        // Shrinking by 2 about the centre leaves a zero (constant border) frame.
        float[] ones = new float[8 * 8];
        Arrays.fill(ones, 1f);
        float[] small =
                Resampling.warpAffine(ones, 8, 8, 1, Resampling.rotationMatrix(4, 4, 0, 0.5), Interpolation.NEAREST);
        assertEquals(0f, small[0]);
        assertEquals(1f, small[4 * 8 + 4]);
    }

    @Test
    void nearestResizeUsesFloorOfScaledIndex() {
        // 4x4 -> 2x2 picks source rows/cols 0 and 2 (cv2 INTER_NEAREST: floor(dst * 2)).
        float[] src = new float[16];
        for (int i = 0; i < 16; i++) {
            src[i] = i;
        }
        assertArrayEquals(new float[] {0, 2, 8, 10}, Resampling.resize(src, 4, 4, 1, 2, 2, Interpolation.NEAREST));
        // 2x2 -> 4x4 repeats each source pixel twice in each direction.
        float[] up = Resampling.resize(new float[] {1, 2, 3, 4}, 2, 2, 1, 4, 4, Interpolation.NEAREST);
        assertArrayEquals(new float[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, up);
    }

    @Test
    void cubicResizeKeepsConstantsAndLinearRampsInTheInterior() {
        float[] c = new float[6 * 6 * 3];
        Arrays.fill(c, 42f);
        for (float v : Resampling.resize(c, 6, 6, 3, 9, 4, Interpolation.CUBIC)) {
            assertEquals(42f, v, 1e-4);
        }
        // 2x upsampling of a ramp 0..7: output x=4 samples source 1.75 = floor 1 + t 0.75, taps at 0..3 with
        // weights (-0.03515625, 0.26171875, 0.87890625, -0.10546875) by hand, so 1·w1 + 2·w2 + 3·w3 = 1.703125
        // (a = -0.75 does not reproduce linear ramps exactly, unlike a = -0.5).
        int w = 8;
        float[] ramp = new float[w];
        for (int x = 0; x < w; x++) {
            ramp[x] = x;
        }
        float[] up = Resampling.resize(ramp, 1, w, 1, 1, 2 * w, Interpolation.CUBIC);
        assertEquals(1.703125, up[4], 1e-6);
        // Replicated border: output 0 samples source -0.25 (floor -1, t 0.75); taps -2..1 clamp to 0,0,0,1, so
        // only ramp[1] = 1 contributes, with w3 = -0.10546875.
        assertEquals(-0.10546875, up[0], 1e-6);
        // Point symmetry of the ramp: up[x] + up[2w-1-x] = 7.
        for (int x = 0; x < 2 * w; x++) {
            assertEquals(7.0, up[x] + up[2 * w - 1 - x], 1e-5);
        }
    }

    @Test
    void cubicWeightsAreOpenCvs() {
        double[] w = new double[4];
        Resampling.cubicWeights(0.5, w);
        // a = -0.75 at t = 0.5: [-0.09375, 0.59375, 0.59375, -0.09375].
        assertArrayEquals(new double[] {-0.09375, 0.59375, 0.59375, -0.09375}, w, 1e-12);
    }

    @Test
    void flipTwiceIsIdentity() {
        float[] a = ramp(3, 5, 3);
        float[] once = Resampling.flipHorizontal(a, 3, 5, 3);
        assertEquals(a[(1 * 5 + 0) * 3 + 2], once[(1 * 5 + 4) * 3 + 2]);
        assertArrayEquals(a, Resampling.flipHorizontal(once, 3, 5, 3));
    }
}
