package org.m3vit.data.synth;

import java.util.SplittableRandom;

/** Colour helpers: linear RGB from HSV, with per-instance jitter so classes are similar but not identical. */
final class Colours {

    private Colours() {}

    static double[] hsv(double h, double s, double v) {
        double hh = ((h % 1) + 1) % 1 * 6;
        int i = (int) Math.floor(hh);
        double f = hh - i;
        double p = v * (1 - s);
        double q = v * (1 - s * f);
        double t = v * (1 - s * (1 - f));
        switch (i) {
            case 0:
                return new double[] {v, t, p};
            case 1:
                return new double[] {q, v, p};
            case 2:
                return new double[] {p, v, t};
            case 3:
                return new double[] {p, q, v};
            case 4:
                return new double[] {t, p, v};
            default:
                return new double[] {v, p, q};
        }
    }

    /** A colour around hue {@code h} (±dh) with saturation and value drawn from the given ranges. */
    static double[] around(SplittableRandom rng, double h, double dh, double s0, double s1, double v0, double v1) {
        return hsv(
                h + (rng.nextDouble() * 2 - 1) * dh,
                s0 + rng.nextDouble() * (s1 - s0),
                v0 + rng.nextDouble() * (v1 - v0));
    }

    static double[] scale(double[] c, double k) {
        return new double[] {c[0] * k, c[1] * k, c[2] * k};
    }
}
