package org.m3vit.task.dense;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * odsF and saliency maxF on several images whose best thresholds differ, with P/R/F worked out by hand, so
 * that pooling per threshold over the dataset (ODS), thinning and ignored pixels are each pinned: a
 * per-image best (OIS), no thinning, or counting 255 pixels gives another number.
 */
class GradedMetricsTest {

    private static final int H = 40;
    private static final int W = 40; // diagonal 56.6 px → tolerance 0.42 px: exact matches only

    private static void column(float[] m, int x, float p) {
        for (int y = 0; y < H; y++) {
            m[y * W + x] = p;
        }
    }

    private static void column(int[] m, int x, int v) {
        for (int y = 0; y < H; y++) {
            m[y * W + x] = v;
        }
    }

    @Test
    void odsPoolsCountsPerThresholdOverImagesWithDifferentBestThresholds() {
        // Image A: true edge at x=10 predicted with 0.8, a false edge at x=30 with 0.3 (best alone: 0.3 < t ≤ 0.8).
        float[] pa = new float[H * W];
        int[] ga = new int[H * W];
        column(pa, 10, 0.8f);
        column(pa, 30, 0.3f);
        column(ga, 10, 1);
        // Image B: true edge at x=20 predicted with 0.4, a false edge at x=5 with 0.9 (best alone: t ≤ 0.4).
        float[] pb = new float[H * W];
        int[] gb = new int[H * W];
        column(pb, 20, 0.4f);
        column(pb, 5, 0.9f);
        column(gb, 20, 1);
        // Pooled over both images (40 px per column, GT 80 px):
        //   t ≤ 0.3:        predicted 160, matched 80: P 1/2, R 1 → F 2/3
        //   0.3 < t ≤ 0.4:  predicted 120, matched 80: P 2/3, R 1 → F 0.8   ← ODS
        //   0.4 < t ≤ 0.8:  predicted  80, matched 40: P 1/2, R 1/2 → F 1/2
        //   0.8 < t ≤ 0.9:  predicted  40, matched  0 → F 0
        EdgeMetrics both = new EdgeMetrics();
        both.add(pa, ga, H, W);
        both.add(pb, gb, H, W);
        assertEquals(0.8, both.odsF(), 1e-12);
        EdgeMetrics a = new EdgeMetrics();
        a.add(pa, ga, H, W);
        assertEquals(1.0, a.odsF(), 1e-12);
        EdgeMetrics b = new EdgeMetrics();
        b.add(pb, gb, H, W);
        assertEquals(2.0 / 3, b.odsF(), 1e-12); // (the mean of the per-image bests would be 5/6)
    }

    @Test
    void aThreePixelThickPredictionIsThinnedBeforeMatching() {
        float[] p = new float[H * W];
        int[] g = new int[H * W];
        column(p, 9, 0.8f);
        column(p, 10, 0.8f);
        column(p, 11, 0.8f);
        column(g, 10, 1);
        // Thinned to the centre column, one pixel shorter at each end: 38 predicted, all matched; GT 40.
        // P = 1, R = 38/40 → F = 2·0.95/1.95. Unthinned it would be P = 1/3, R = 1 → F = 1/2.
        EdgeMetrics e = new EdgeMetrics();
        e.add(p, g, H, W);
        assertEquals(2 * 0.95 / 1.95, e.odsF(), 1e-12);
    }

    @Test
    void ignoredPixelsCountNeitherAsEdgesNorAsPredictions() {
        float[] p = new float[H * W];
        int[] g = new int[H * W];
        column(p, 10, 0.8f);
        column(p, 30, 0.8f); // lies entirely on ignored pixels: dropped
        column(g, 10, 1);
        column(g, 30, 255);
        for (int y = 0; y < 10; y++) {
            g[y * W + 10] = 255; // the top 10 px of the true edge are ignored too: GT 30 px
        }
        // predicted 30 (rows 10..39 of x=10), matched 30, GT 30 → F 1. Counting the 255s as negatives would
        // give P 40/80, and as edges R < 1.
        EdgeMetrics e = new EdgeMetrics();
        e.add(p, g, H, W);
        assertEquals(1.0, e.odsF(), 1e-12);
    }

    @Test
    void saliencyMaxFAveragesPrecisionAndRecallOverImagesPerThreshold() {
        // thresholds 0.20, 0.25, …, 0.90 (strict >); values chosen away from them
        float[] p1 = {0.93f, 0.47f, 0.27f, 0.07f};
        int[] g1 = {1, 1, 0, 0};
        float[] p2 = {0.62f, 0.62f, 0.62f, 0.62f, 0.72f, 0.07f, 0.07f, 0.99f};
        int[] g2 = {1, 1, 1, 1, 0, 0, 0, 255}; // the ignored pixel is no false positive
        // image 1: t < .27: P 2/3 R 1 | .27 ≤ t < .47: P 1 R 1 | t ≥ .47: P 1 R 1/2
        // image 2: t < .62: P 4/5 R 1 | t ≥ .62: P 0 R 0
        // means:   t ∈ {.20,.25}: P 11/15 R 1 → F 11/13;  t ∈ [.30,.45]: P 9/10 R 1 → F 18/19;
        //          t ∈ [.50,.60]: P 9/10 R 3/4 → F 9/11;  t ≥ .65: P 1/2 R 1/4 → F 1/3
        // (pooling the counts instead would give 12/13 at t = .30; the mean of per-image maxima 17/18)
        SaliencyMetrics s = new SaliencyMetrics();
        s.add(p1, g1);
        s.add(p2, g2);
        assertEquals(18.0 / 19, s.maxF(), 1e-9);
        // Jaccard: image 1: 2/3 | 1 | 1/2; image 2: 4/5 (t < .62) | 0 → best mean 9/10 at t ∈ [.30,.45]
        assertEquals(0.9, s.meanIoU(), 1e-12);
        SaliencyMetrics one = new SaliencyMetrics();
        one.add(p1, g1);
        assertEquals(1.0, one.maxF(), 1e-9);
    }
}
