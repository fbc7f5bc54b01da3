package org.m3vit.task.dense;

/**
 * Resizes a prediction from the network size back to the ground truth's size as the reference does with
 * {@code cv2.resize}: nearest for class maps (source pixel floor(x·scale)), bilinear with half-pixel
 * centres for everything else (no antialiasing; the same formula torch uses with align_corners=False).
 * Arrays are interleaved (H, W, C).
 */
public final class ResizeBack {

    private ResizeBack() {}

    public static float[] nearest(float[] src, int h, int w, int c, int outH, int outW) {
        if (h == outH && w == outW) {
            return src;
        }
        float[] out = new float[outH * outW * c];
        for (int y = 0; y < outH; y++) {
            int sy = Math.min(h - 1, (int) Math.floor(y * (double) h / outH));
            for (int x = 0; x < outW; x++) {
                int sx = Math.min(w - 1, (int) Math.floor(x * (double) w / outW));
                System.arraycopy(src, (sy * w + sx) * c, out, (y * outW + x) * c, c);
            }
        }
        return out;
    }

    public static float[] bilinear(float[] src, int h, int w, int c, int outH, int outW) {
        if (h == outH && w == outW) {
            return src;
        }
        float[] out = new float[outH * outW * c];
        double scaleY = (double) h / outH;
        double scaleX = (double) w / outW;
        for (int y = 0; y < outH; y++) {
            double fy = (y + 0.5) * scaleY - 0.5;
            int y0 = (int) Math.floor(fy);
            double ay = fy - y0;
            int ya = clamp(y0, h);
            int yb = clamp(y0 + 1, h);
            for (int x = 0; x < outW; x++) {
                double fx = (x + 0.5) * scaleX - 0.5;
                int x0 = (int) Math.floor(fx);
                double ax = fx - x0;
                int xa = clamp(x0, w);
                int xb = clamp(x0 + 1, w);
                for (int k = 0; k < c; k++) {
                    double top = src[(ya * w + xa) * c + k] * (1 - ax) + src[(ya * w + xb) * c + k] * ax;
                    double bottom = src[(yb * w + xa) * c + k] * (1 - ax) + src[(yb * w + xb) * c + k] * ax;
                    out[(y * outW + x) * c + k] = (float) (top * (1 - ay) + bottom * ay);
                }
            }
        }
        return out;
    }

    private static int clamp(int i, int n) {
        return Math.max(0, Math.min(n - 1, i));
    }
}
