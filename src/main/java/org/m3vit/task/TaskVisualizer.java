package org.m3vit.task;

import java.awt.image.BufferedImage;

/**
 * Turns one image's raw head output (C, H, W) into a viewable picture, following the reference's
 * {@code get_output}: classes by argmax (colour-mapped with the PASCAL VOC palette), saliency and
 * edges as 255·sigmoid, normals as 255·(n/|n| + 1)/2, depth min–max scaled to grey.
 */
public final class TaskVisualizer {

    private TaskVisualizer() {}

    public static BufferedImage render(Task task, float[] out, int channels, int h, int w) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int plane = h * w;
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        if (task == Task.DEPTH) {
            for (int i = 0; i < plane; i++) {
                min = Math.min(min, out[i]);
                max = Math.max(max, out[i]);
            }
        }
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = y * w + x;
                int rgb;
                switch (task) {
                    case SEMSEG:
                    case HUMAN_PARTS: {
                        int best = 0;
                        for (int c = 1; c < channels; c++) {
                            if (out[c * plane + p] > out[best * plane + p]) {
                                best = c;
                            }
                        }
                        rgb = vocColor(best);
                        break;
                    }
                    case SAL:
                    case EDGE:
                        rgb = grey(255.0 / (1.0 + Math.exp(-out[p])));
                        break;
                    case NORMALS: {
                        double nx = out[p];
                        double ny = out[plane + p];
                        double nz = out[2 * plane + p];
                        double n = Math.max(Math.sqrt(nx * nx + ny * ny + nz * nz), 1e-12);
                        rgb = (channel(nx / n) << 16) | (channel(ny / n) << 8) | channel(nz / n);
                        break;
                    }
                    default:
                        rgb = grey(max > min ? 255.0 * (out[p] - min) / (max - min) : 0);
                }
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    private static int channel(double unit) {
        return (int) Math.max(0, Math.min(255, Math.round(255 * (unit + 1) / 2)));
    }

    private static int grey(double v) {
        int g = (int) Math.max(0, Math.min(255, Math.round(v)));
        return (g << 16) | (g << 8) | g;
    }

    /** The PASCAL VOC colour map (bit-interleaved class index). */
    public static int vocColor(int label) {
        int r = 0;
        int g = 0;
        int b = 0;
        int c = label;
        for (int j = 0; j < 8; j++) {
            r |= ((c >> 0) & 1) << (7 - j);
            g |= ((c >> 1) & 1) << (7 - j);
            b |= ((c >> 2) & 1) << (7 - j);
            c >>= 3;
        }
        return (r << 16) | (g << 8) | b;
    }
}
