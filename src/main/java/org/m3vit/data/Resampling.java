package org.m3vit.data;

import org.m3vit.task.Interpolation;

/**
 * Geometric resampling of interleaved (H, W, C) float planes with OpenCV's semantics, so augmented data
 * matches what the reference pipeline (cv2) produces:
 * <ul>
 *   <li>{@link #rotationMatrix}: {@code cv2.getRotationMatrix2D};</li>
 *   <li>{@link #warpAffine}: {@code cv2.warpAffine}, same output size, constant-0 border, nearest (rounded
 *       source coordinate) or bicubic (a = −0.75) sampling;</li>
 *   <li>{@link #resize}: {@code cv2.resize}, nearest (floor(dst·scale)) or bicubic with half-pixel centres
 *       and replicated border.</li>
 * </ul>
 */
public final class Resampling {

    private static final double A = -0.75;

    private Resampling() {}

    /** Mirrors a plane left–right. */
    public static float[] flipHorizontal(float[] src, int h, int w, int c) {
        float[] out = new float[src.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                System.arraycopy(src, (y * w + x) * c, out, (y * w + (w - 1 - x)) * c, c);
            }
        }
        return out;
    }

    /**
     * {@code cv2.getRotationMatrix2D(center, angle, scale)}: rotation by {@code angleDeg} counter-clockwise
     * (as seen on screen, y pointing down) and scaling about (cx, cy). Returns the 2×3 forward matrix
     * {m00, m01, m02, m10, m11, m12}.
     */
    public static double[] rotationMatrix(double cx, double cy, double angleDeg, double scale) {
        double a = Math.toRadians(angleDeg);
        double alpha = scale * Math.cos(a);
        double beta = scale * Math.sin(a);
        return new double[] {alpha, beta, (1 - alpha) * cx - beta * cy, -beta, alpha, beta * cx + (1 - alpha) * cy};
    }

    /** {@code cv2.warpAffine(src, m, (w, h), flags, borderValue=0)}: dst(x, y) = src(M⁻¹ (x, y)). */
    public static float[] warpAffine(float[] src, int h, int w, int c, double[] m, Interpolation interp) {
        double det = m[0] * m[4] - m[1] * m[3];
        if (Math.abs(det) < 1e-12) {
            throw new IllegalArgumentException("affine matrix is singular");
        }
        double i00 = m[4] / det;
        double i01 = -m[1] / det;
        double i10 = -m[3] / det;
        double i11 = m[0] / det;
        double i02 = -(i00 * m[2] + i01 * m[5]);
        double i12 = -(i10 * m[2] + i11 * m[5]);
        float[] out = new float[h * w * c];
        double[] wx = new double[4];
        double[] wy = new double[4];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double sx = i00 * x + i01 * y + i02;
                double sy = i10 * x + i11 * y + i12;
                int o = (y * w + x) * c;
                if (interp == Interpolation.NEAREST) {
                    int ix = (int) Math.floor(sx + 0.5);
                    int iy = (int) Math.floor(sy + 0.5);
                    if (ix >= 0 && ix < w && iy >= 0 && iy < h) {
                        System.arraycopy(src, (iy * w + ix) * c, out, o, c);
                    }
                } else {
                    int x0 = (int) Math.floor(sx);
                    int y0 = (int) Math.floor(sy);
                    if (x0 + 2 < 0 || x0 - 1 >= w || y0 + 2 < 0 || y0 - 1 >= h) {
                        continue;
                    }
                    cubicWeights(sx - x0, wx);
                    cubicWeights(sy - y0, wy);
                    for (int ch = 0; ch < c; ch++) {
                        double acc = 0;
                        for (int j = 0; j < 4; j++) {
                            int yy = y0 - 1 + j;
                            if (yy < 0 || yy >= h) {
                                continue;
                            }
                            double row = 0;
                            for (int i = 0; i < 4; i++) {
                                int xx = x0 - 1 + i;
                                if (xx >= 0 && xx < w) {
                                    row += wx[i] * src[(yy * w + xx) * c + ch];
                                }
                            }
                            acc += wy[j] * row;
                        }
                        out[o + ch] = (float) acc;
                    }
                }
            }
        }
        return out;
    }

    /** {@code cv2.resize(src, (outW, outH), interpolation)}. */
    public static float[] resize(float[] src, int h, int w, int c, int outH, int outW, Interpolation interp) {
        if (outH == h && outW == w) {
            return src.clone();
        }
        float[] out = new float[outH * outW * c];
        double sy = (double) h / outH;
        double sx = (double) w / outW;
        if (interp == Interpolation.NEAREST) {
            for (int y = 0; y < outH; y++) {
                int iy = Math.min((int) Math.floor(y * sy), h - 1);
                for (int x = 0; x < outW; x++) {
                    int ix = Math.min((int) Math.floor(x * sx), w - 1);
                    System.arraycopy(src, (iy * w + ix) * c, out, (y * outW + x) * c, c);
                }
            }
            return out;
        }
        // Separable bicubic: precompute taps and weights per output column and row.
        int[] xTap = new int[outW * 4];
        double[] xW = new double[outW * 4];
        int[] yTap = new int[outH * 4];
        double[] yW = new double[outH * 4];
        taps(outW, sx, w, xTap, xW);
        taps(outH, sy, h, yTap, yW);
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                int o = (y * outW + x) * c;
                for (int ch = 0; ch < c; ch++) {
                    double acc = 0;
                    for (int j = 0; j < 4; j++) {
                        int row = yTap[4 * y + j] * w;
                        double r = 0;
                        for (int i = 0; i < 4; i++) {
                            r += xW[4 * x + i] * src[(row + xTap[4 * x + i]) * c + ch];
                        }
                        acc += yW[4 * y + j] * r;
                    }
                    out[o + ch] = (float) acc;
                }
            }
        }
        return out;
    }

    private static void taps(int outN, double scale, int inN, int[] tap, double[] weight) {
        double[] wk = new double[4];
        for (int d = 0; d < outN; d++) {
            double s = (d + 0.5) * scale - 0.5;
            int s0 = (int) Math.floor(s);
            cubicWeights(s - s0, wk);
            for (int i = 0; i < 4; i++) {
                tap[4 * d + i] = Math.max(0, Math.min(inN - 1, s0 - 1 + i));
                weight[4 * d + i] = wk[i];
            }
        }
    }

    /** Keys' cubic convolution weights (a = −0.75, OpenCV's value) for taps at offsets −1, 0, 1, 2 from floor. */
    static void cubicWeights(double t, double[] out) {
        out[0] = far(1 + t);
        out[1] = near(t);
        out[2] = near(1 - t);
        out[3] = 1 - out[0] - out[1] - out[2];
    }

    private static double near(double x) {
        return ((A + 2) * x - (A + 3)) * x * x + 1;
    }

    private static double far(double x) {
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
    }
}
