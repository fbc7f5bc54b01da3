package org.m3vit.task.dense;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
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
        Arrays.fill(m, 5);
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
            assertTrue(
                    y == 4 || row == 0 || kept <= 2, "skeleton should lie on the middle row, row " + y + " has " + row);
        }
    }

    /**
     * The incremental thinning against a plain full-rescan Guo–Hall written here from the conditions
     * (no lookup tables): random masks from sparse to nearly full, odd sizes, thick blobs.
     */
    @Test
    void thinningMatchesAFullRescanReference() {
        Random rnd = new Random(7);
        for (int trial = 0; trial < 60; trial++) {
            int h = 5 + rnd.nextInt(40);
            int w = 5 + rnd.nextInt(40);
            double density = rnd.nextDouble();
            boolean[] mask = new boolean[h * w];
            // Smooth blobs (a thresholded sum of random bumps) plus salt noise.
            double[] field = new double[h * w];
            for (int b = 0; b < 6; b++) {
                double cy = rnd.nextDouble() * h;
                double cx = rnd.nextDouble() * w;
                double r = 2 + rnd.nextDouble() * 10;
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        field[y * w + x] += Math.exp(-((y - cy) * (y - cy) + (x - cx) * (x - cx)) / (r * r));
                    }
                }
            }
            for (int i = 0; i < mask.length; i++) {
                mask[i] = field[i] > 1 - density || rnd.nextDouble() < 0.05;
            }
            boolean[] expected = mask.clone();
            fullRescanThin(expected, h, w);
            boolean[] actual = mask.clone();
            EdgeMaps.thin(actual, h, w);
            assertArrayEquals(expected, actual, "trial " + trial + " (" + h + "x" + w + ", density " + density + ")");
        }
    }

    private static void fullRescanThin(boolean[] m, int h, int w) {
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int pass = 0; pass < 2; pass++) {
                boolean[] remove = new boolean[m.length];
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        remove[y * w + x] = m[y * w + x] && guoHallRemoves(m, h, w, y, x, pass);
                    }
                }
                for (int i = 0; i < m.length; i++) {
                    if (remove[i]) {
                        m[i] = false;
                        changed = true;
                    }
                }
            }
        }
    }

    /** Guo & Hall (1989), algorithm A1: neighbours p1..p8 = E, NE, N, NW, W, SW, S, SE. */
    private static boolean guoHallRemoves(boolean[] m, int h, int w, int y, int x, int pass) {
        int[][] off = {{0, 1}, {-1, 1}, {-1, 0}, {-1, -1}, {0, -1}, {1, -1}, {1, 0}, {1, 1}};
        boolean[] p = new boolean[8];
        for (int k = 0; k < 8; k++) {
            int yy = y + off[k][0];
            int xx = x + off[k][1];
            p[k] = yy >= 0 && yy < h && xx >= 0 && xx < w && m[yy * w + xx];
        }
        // C(p): number of distinct 8-connected components of the neighbourhood (4 pairs).
        int c = 0;
        int n1 = 0;
        int n2 = 0;
        for (int k = 0; k < 4; k++) {
            boolean a = p[2 * k];
            boolean b = p[2 * k + 1];
            boolean d = p[(2 * k + 2) % 8];
            c += !a && (b || d) ? 1 : 0;
            n1 += a || b ? 1 : 0;
            n2 += b || d ? 1 : 0;
        }
        int n = Math.min(n1, n2);
        if (c != 1 || n < 2 || n > 3) {
            return false;
        }
        // First pass: (p2 ∨ p3 ∨ ¬p8) ∧ p1 must be false; second pass: the 180°-rotated condition.
        return pass == 0 ? !((p[1] || p[2] || !p[7]) && p[0]) : !((p[5] || p[6] || !p[3]) && p[4]);
    }
}
