package org.m3vit.task.dense;

import java.awt.image.BufferedImage;
import java.util.function.IntUnaryOperator;

/** Picture helpers shared by the dense task specs' {@code render}. */
final class Renderings {

    /** A logit whose sigmoid / softmax is ~1: how ground truth is drawn as a confident head output. */
    static final float CONFIDENT_LOGIT = 20f;

    private Renderings() {}

    /** An RGB image whose pixel p = y·w + x has colour {@code rgb(p)}. */
    static BufferedImage image(int h, int w, IntUnaryOperator rgb) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb.applyAsInt(y * w + x));
            }
        }
        return img;
    }

    /** A unit-vector component in [−1, 1] as a colour channel 0..255. */
    static int channel(double unit) {
        return (int) Math.max(0, Math.min(255, Math.round(255 * (unit + 1) / 2)));
    }

    /** A grey level, rounded and clamped to 0..255, as RGB. */
    static int grey(double v) {
        int g = (int) Math.max(0, Math.min(255, Math.round(v)));
        return (g << 16) | (g << 8) | g;
    }

    /** 255·sigmoid(logit): a probability map's grey level. */
    static int sigmoidGrey(float logit) {
        return grey(255.0 / (1.0 + Math.exp(-logit)));
    }

    /** The PASCAL VOC colour map (bit-interleaved class index). */
    static int vocColor(int label) {
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
