package org.m3vit.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EdgeMapsTest {

    /** Two regions split between columns 2 and 3 of a 5x6 map. */
    private static double[] verticalSplit(int h, int w, int firstRight) {
        double[] m = new double[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                m[y * w + x] = x >= firstRight ? 7 : 3;
            }
        }
        return m;
    }

    @Test
    void laplacianMarksBothSidesOfABoundary() {
        int h = 5;
        int w = 6;
        boolean[] lap = EdgeMaps.laplacianNonZero(verticalSplit(h, w, 3), h, w);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                assertEquals(x == 2 || x == 3, lap[y * w + x], "pixel " + y + "," + x);
            }
        }
    }

    @Test
    void reflect101BorderGivesNoEdgeAtTheImageBorder() {
        // A constant map: every Laplacian is 0 including the border (a replicate/zero border would differ).
        double[] m = new double[4 * 4];
        java.util.Arrays.fill(m, 5);
        for (boolean b : EdgeMaps.laplacianNonZero(m, 4, 4)) {
            assertFalse(b);
        }
        // A one-pixel spike at the corner: with BORDER_REFLECT_101 the corner's neighbours are (0,1),(1,0)
        // so only the corner and those two are non-zero.
        m[0] = 9;
        boolean[] lap = EdgeMaps.laplacianNonZero(m, 4, 4);
        int count = 0;
        for (boolean b : lap) {
            count += b ? 1 : 0;
        }
        assertEquals(3, count);
        assertTrue(lap[0] && lap[1] && lap[4]);
    }

    @Test
    void thinningReducesTheTwoPixelBandToOnePixelPerRow() {
        int h = 8;
        int w = 8;
        double[] m = verticalSplit(h, w, 4);
        boolean[] band = EdgeMaps.laplacianNonZero(m, h, w);
        float[] edge = EdgeMaps.fromLabels(m, h, w);
        for (int y = 1; y < h - 1; y++) {
            int n = 0;
            for (int x = 0; x < w; x++) {
                if (edge[y * w + x] == 1f) {
                    n++;
                    assertTrue(band[y * w + x], "thinning may only remove pixels");
                }
            }
            assertEquals(1, n, "row " + y + " should keep exactly one edge pixel");
        }
    }

    @Test
    void oneWideLinesAreAlreadyThin() {
        int h = 7;
        int w = 7;
        boolean[] mask = new boolean[h * w];
        for (int y = 1; y < 6; y++) {
            mask[y * w + 3] = true;
        }
        boolean[] copy = mask.clone();
        EdgeMaps.thin(mask, h, w);
        assertArrayEquals(copy, mask);
    }

    @Test
    void solidBlockThinsToAConnectedSkeletonInsideIt() {
        int h = 9;
        int w = 9;
        boolean[] mask = new boolean[h * w];
        for (int y = 2; y <= 6; y++) {
            for (int x = 1; x <= 7; x++) {
                mask[y * w + x] = true;
            }
        }
        boolean[] before = mask.clone();
        EdgeMaps.thin(mask, h, w);
        int kept = 0;
        for (int i = 0; i < mask.length; i++) {
            if (mask[i]) {
                kept++;
                assertTrue(before[i]);
            }
        }
        assertTrue(kept >= 1 && kept <= 7, "a 5x7 block thins to a short horizontal skeleton, kept " + kept);
        for (int y = 0; y < h; y++) {
            int row = 0;
            for (int x = 0; x < w; x++) {
                row += mask[y * w + x] ? 1 : 0;
            }
            assertTrue(y == 4 || row == 0 || kept <= 2, "skeleton should lie on the middle row, row " + y + " has " + row);
        }
    }
}
