package org.m3vit.task.dense;

/**
 * Semantic edges as the reference derives them from a label map:
 * {@code edge = skimage.morphology.thin(|cv2.Laplacian(labels)| > 0)}.
 *
 * <p>The Laplacian is OpenCV's ksize=1 kernel [[0,1,0],[1,-4,1],[0,1,0]] with BORDER_REFLECT_101; any
 * label change between 4-neighbours makes it non-zero on both sides, giving 2-pixel-wide boundaries.
 * The thinning is the Guo–Hall algorithm in the two-subiteration lookup-table form that scikit-image
 * uses, which reduces those bands to 1-pixel-wide curves.
 */
public final class EdgeMaps {

    private static final boolean[] LUT_FIRST = new boolean[256];
    private static final boolean[] LUT_SECOND = new boolean[256];

    static {
        // Neighbour bits: x1=E (1), x2=NE (2), x3=N (4), x4=NW (8), x5=W (16), x6=SW (32), x7=S (64), x8=SE (128).
        for (int i = 0; i < 256; i++) {
            boolean[] x = new boolean[8];
            for (int j = 0; j < 8; j++) {
                x[j] = ((i >> j) & 1) != 0;
            }
            int crossings = 0;
            int n1 = 0;
            int n2 = 0;
            for (int k = 0; k < 4; k++) {
                boolean a = x[2 * k];
                boolean b = x[2 * k + 1];
                boolean c = x[(2 * k + 2) % 8];
                if (!a && (b || c)) {
                    crossings++;
                }
                if (a || b) {
                    n1++;
                }
                if (b || c) {
                    n2++;
                }
            }
            int m = Math.min(n1, n2);
            boolean g12 = crossings == 1 && m >= 2 && m <= 3;
            boolean g3 = !((x[1] || x[2] || !x[7]) && x[0]);
            boolean g3p = !((x[5] || x[6] || !x[3]) && x[4]);
            LUT_FIRST[i] = g12 && g3;
            LUT_SECOND[i] = g12 && g3p;
        }
    }

    private EdgeMaps() {}

    /** Edge map in {0, 1} of a (H, W) label map (any numeric labels). */
    public static float[] fromLabels(double[] labels, int height, int width) {
        boolean[] mask = laplacianNonZero(labels, height, width);
        thin(mask, height, width);
        float[] out = new float[mask.length];
        for (int i = 0; i < mask.length; i++) {
            out[i] = mask[i] ? 1f : 0f;
        }
        return out;
    }

    /** {@code |Laplacian(labels)| > 0} with OpenCV's ksize=1 kernel and BORDER_REFLECT_101. */
    public static boolean[] laplacianNonZero(double[] labels, int height, int width) {
        if (labels.length != height * width) {
            throw new IllegalArgumentException(
                    "label map has " + labels.length + " values, expected " + height + "x" + width);
        }
        boolean[] out = new boolean[labels.length];
        for (int y = 0; y < height; y++) {
            int yu = reflect101(y - 1, height);
            int yd = reflect101(y + 1, height);
            for (int x = 0; x < width; x++) {
                int xl = reflect101(x - 1, width);
                int xr = reflect101(x + 1, width);
                double lap = labels[yu * width + x]
                        + labels[yd * width + x]
                        + labels[y * width + xl]
                        + labels[y * width + xr]
                        - 4 * labels[y * width + x];
                out[y * width + x] = lap != 0;
            }
        }
        return out;
    }

    private static int reflect101(int i, int n) {
        if (n == 1) {
            return 0;
        }
        if (i < 0) {
            return -i;
        }
        if (i >= n) {
            return 2 * n - 2 - i;
        }
        return i;
    }

    /**
     * Thins a binary mask in place (Guo–Hall, iterated to convergence; outside the image counts as 0).
     *
     * <p>Same result as re-examining every pixel in every subiteration, at a fraction of the cost: a
     * pixel's fate depends only on its 8 neighbours, so a pixel is re-examined under a subiteration's
     * table only when a neighbour was removed since it was last examined under that table. Pixels with
     * all 8 neighbours set are never removable and start unexamined. Thick masks (an edge probability
     * map binarised at a low threshold) thin in time proportional to their boundary, not their area.
     */
    public static void thin(boolean[] mask, int height, int width) {
        // Work on a copy with a one-pixel border of zeros: neighbour lookups need no bounds checks.
        int pw = width + 2;
        int n = (height + 2) * pw;
        boolean[] m = new boolean[n];
        for (int y = 0; y < height; y++) {
            System.arraycopy(mask, y * width, m, (y + 1) * pw + 1, width);
        }
        int[] neighbours = {1, 1 - pw, -pw, -pw - 1, -1, pw - 1, pw, pw + 1};
        boolean[][] luts = {LUT_FIRST, LUT_SECOND};
        boolean[][] dirty = new boolean[2][n];
        int[][] work = new int[2][n];
        int[] size = new int[2];
        for (int i = 0; i < n; i++) {
            if (m[i] && code(m, i, neighbours) != 255) {
                for (int l = 0; l < 2; l++) {
                    dirty[l][i] = true;
                    work[l][size[l]++] = i;
                }
            }
        }
        int[] removed = new int[n];
        int quietSubiterations = 0;
        for (int l = 0; quietSubiterations < 2; l ^= 1) {
            // Decisions of one subiteration are taken on the same snapshot, then applied together.
            int count = 0;
            int[] list = work[l];
            boolean[] lut = luts[l];
            for (int k = 0; k < size[l]; k++) {
                int i = list[k];
                dirty[l][i] = false;
                if (m[i] && lut[code(m, i, neighbours)]) {
                    removed[count++] = i;
                }
            }
            size[l] = 0;
            for (int k = 0; k < count; k++) {
                m[removed[k]] = false;
            }
            for (int k = 0; k < count; k++) {
                for (int d : neighbours) {
                    int j = removed[k] + d;
                    if (!m[j]) {
                        continue; // also every border pixel: they are never set
                    }
                    for (int b = 0; b < 2; b++) {
                        if (!dirty[b][j]) {
                            dirty[b][j] = true;
                            work[b][size[b]++] = j;
                        }
                    }
                }
            }
            quietSubiterations = count == 0 ? quietSubiterations + 1 : 0;
        }
        for (int y = 0; y < height; y++) {
            System.arraycopy(m, (y + 1) * pw + 1, mask, y * width, width);
        }
    }

    /** The 8-neighbour bit code of padded pixel i (bit k set when neighbour k is set). */
    private static int code(boolean[] m, int i, int[] neighbours) {
        int c = 0;
        for (int k = 0; k < 8; k++) {
            if (m[i + neighbours[k]]) {
                c |= 1 << k;
            }
        }
        return c;
    }
}
