package org.m3vit.data;

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
            throw new IllegalArgumentException("label map has " + labels.length + " values, expected " + height + "x" + width);
        }
        boolean[] out = new boolean[labels.length];
        for (int y = 0; y < height; y++) {
            int yu = reflect101(y - 1, height);
            int yd = reflect101(y + 1, height);
            for (int x = 0; x < width; x++) {
                int xl = reflect101(x - 1, width);
                int xr = reflect101(x + 1, width);
                double lap = labels[yu * width + x] + labels[yd * width + x] + labels[y * width + xl]
                        + labels[y * width + xr] - 4 * labels[y * width + x];
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

    /** Thins a binary mask in place (Guo–Hall, iterated to convergence; outside the image counts as 0). */
    public static void thin(boolean[] mask, int height, int width) {
        int[] code = new int[mask.length];
        boolean changed = true;
        while (changed) {
            changed = false;
            for (boolean[] lut : new boolean[][] {LUT_FIRST, LUT_SECOND}) {
                // Decisions of one subiteration are taken on the same snapshot, then applied together.
                for (int y = 0; y < height; y++) {
                    for (int x = 0; x < width; x++) {
                        int i = y * width + x;
                        code[i] = mask[i] ? neighbourCode(mask, height, width, y, x) : -1;
                    }
                }
                for (int i = 0; i < mask.length; i++) {
                    if (code[i] >= 0 && lut[code[i]]) {
                        mask[i] = false;
                        changed = true;
                    }
                }
            }
        }
    }

    private static int neighbourCode(boolean[] m, int h, int w, int y, int x) {
        int c = 0;
        if (at(m, h, w, y, x + 1)) c |= 1;
        if (at(m, h, w, y - 1, x + 1)) c |= 2;
        if (at(m, h, w, y - 1, x)) c |= 4;
        if (at(m, h, w, y - 1, x - 1)) c |= 8;
        if (at(m, h, w, y, x - 1)) c |= 16;
        if (at(m, h, w, y + 1, x - 1)) c |= 32;
        if (at(m, h, w, y + 1, x)) c |= 64;
        if (at(m, h, w, y + 1, x + 1)) c |= 128;
        return c;
    }

    private static boolean at(boolean[] m, int h, int w, int y, int x) {
        return y >= 0 && y < h && x >= 0 && x < w && m[y * w + x];
    }
}
