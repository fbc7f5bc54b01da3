package org.m3vit.task.dense;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class EdgeMetricsTest {

    private static final int H = 40;
    private static final int W = 40; // diagonal 56.6 px → tolerance 0.42 px: exact matches only

    /** A one-pixel vertical edge at column x, as probabilities or as labels. */
    private static float[] probLine(int h, int w, int x, float p) {
        float[] m = new float[h * w];
        for (int y = 0; y < h; y++) {
            m[y * w + x] = p;
        }
        return m;
    }

    private static int[] gtLine(int h, int w, int x) {
        int[] m = new int[h * w];
        for (int y = 0; y < h; y++) {
            m[y * w + x] = 1;
        }
        return m;
    }

    @Test
    void perfectEdgesScoreOne() {
        EdgeMetrics e = new EdgeMetrics();
        e.add(probLine(H, W, 10, 0.8f), gtLine(H, W, 10), H, W);
        assertEquals(1.0, e.odsF(), 1e-12);
    }

    @Test
    void shiftedEdgeInsideAndOutsideTolerance() {
        int h = 200;
        int w = 200; // diagonal 282.8 px → tolerance 2.12 px
        EdgeMetrics inside = new EdgeMetrics();
        inside.add(probLine(h, w, 52, 0.9f), gtLine(h, w, 50), h, w);
        assertEquals(1.0, inside.odsF(), 1e-12);
        EdgeMetrics outside = new EdgeMetrics();
        outside.add(probLine(h, w, 53, 0.9f), gtLine(h, w, 50), h, w);
        assertEquals(0.0, outside.odsF(), 1e-12);
    }

    @Test
    void halfTheEdgeFoundGivesKnownF() {
        int h = 100;
        int w = 100;
        float[] prob = new float[h * w];
        for (int y = 0; y < h / 2; y++) {
            prob[y * w + 30] = 0.7f; // upper half of the true edge only
        }
        EdgeMetrics e = new EdgeMetrics();
        e.add(prob, gtLine(h, w, 30), h, w);
        // P = 1, R = 0.5 → F = 2/3
        assertEquals(2.0 / 3, e.odsF(), 1e-9);
    }

    @Test
    void thresholdIsPickedOverTheDataset() {
        int h = 100;
        int w = 100;
        // true edge at 0.6 and a spurious one at 0.3: thresholds in (0.3, 0.6] give F = 1
        float[] prob = probLine(h, w, 20, 0.6f);
        float[] spurious = probLine(h, w, 70, 0.3f);
        for (int i = 0; i < prob.length; i++) {
            prob[i] = Math.max(prob[i], spurious[i]);
        }
        EdgeMetrics e = new EdgeMetrics();
        e.add(prob, gtLine(h, w, 20), h, w);
        assertEquals(1.0, e.odsF(), 1e-12);
        assertEquals(0.01, EdgeMetrics.threshold(0), 1e-12);
        assertEquals(0.99, EdgeMetrics.threshold(98), 1e-12);
    }
}
