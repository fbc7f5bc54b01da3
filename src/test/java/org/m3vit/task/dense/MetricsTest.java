package org.m3vit.task.dense;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Metrics on hand-built cases with known answers. */
class MetricsTest {

    @Test
    void perfectSegmentationHasMeanIoUOne() {
        MeanIoU m = new MeanIoU(3);
        m.add(new int[] {0, 1, 2, 2, 1}, new int[] {0, 1, 2, 2, 1});
        assertEquals(1.0, m.mean(), 0);
    }

    @Test
    void meanIoUFromAKnownConfusion() {
        MeanIoU m = new MeanIoU(3);
        // gt:   0 0 0 1 1 2 255
        // pred: 0 0 1 1 2 2 0
        m.add(new int[] {0, 0, 1, 1, 2, 2, 0}, new int[] {0, 0, 0, 1, 1, 2, 255});
        // class 0: tp 2, fn 1, fp 0 → 2/3; class 1: tp 1, fp 1, fn 1 → 1/3; class 2: tp 1, fp 1 → 1/2
        assertEquals(2.0 / 3, m.iou(0), 1e-12);
        assertEquals(1.0 / 3, m.iou(1), 1e-12);
        assertEquals(0.5, m.iou(2), 1e-12);
        assertEquals((2.0 / 3 + 1.0 / 3 + 0.5) / 3, m.mean(), 1e-12);
        // a second image accumulates at dataset level, not as a mean of per-image scores
        m.add(new int[] {2, 2}, new int[] {2, 2});
        assertEquals(3.0 / 4, m.iou(2), 1e-12);
    }

    @Test
    void classAbsentEverywhereCountsAsZero() {
        MeanIoU m = new MeanIoU(3);
        m.add(new int[] {0, 1}, new int[] {0, 1});
        assertEquals(2.0 / 3, m.mean(), 1e-12);
    }

    @Test
    void badLabelsAreNamed() {
        MeanIoU m = new MeanIoU(3);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> m.add(new int[] {0}, new int[] {7}));
        assertEquals("ground-truth label 7 outside [0, 3) and not 255", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> m.add(new int[] {0, 1}, new int[] {0}));
    }

    @Test
    void depthRmseAndLogRmse() {
        DepthMetrics d = new DepthMetrics();
        d.add(new float[] {1f, 2f, 5f}, new float[] {1f, 2f, 0f});
        assertEquals(0.0, d.rmse(), 0);
        d.add(new float[] {2f, -1f}, new float[] {1f, 4f}); // -1 is clamped to 1e-9
        // squared errors: 0, 0, 1, (4 - 1e-9)² over 4 valid pixels
        double expected = Math.sqrt((0 + 0 + 1 + Math.pow(4 - 1e-9, 2)) / 4);
        assertEquals(expected, d.rmse(), 1e-9);
        double logExpected = Math.sqrt((Math.pow(Math.log(0.5), 2) + Math.pow(Math.log(4) - Math.log(1e-9), 2)) / 4);
        assertEquals(logExpected, d.logRmse(), 1e-9);
        assertEquals(4, d.validPixels());
    }

    @Test
    void normalAnglesFromKnownVectors() {
        NormalsMetrics n = new NormalsMetrics();
        // planar (3, 1, 4): pixels (x, y, z)
        // p0 = gt → 0°, p1 ⟂ gt → 90°, p2 at 45°, p3 ignored (zero gt); prediction norms don't matter
        float[] gt = {0, 0, 0, 0, /*y*/ 0, 0, 0, 0, /*z*/ 1, 1, 1, 0};
        float[] pred = {0, 3, 1, 1, /*y*/ 0, 0, 0, 0, /*z*/ 2, 0, 1, 1};
        n.add(pred, gt);
        assertEquals(3, n.validPixels());
        assertEquals((0 + 90 + 45) / 3.0, n.mean(), 1e-6);
        assertEquals(45, n.median(), 0.001);
        assertEquals(Math.sqrt((0 + 8100 + 2025) / 3.0), n.rmse(), 1e-4);
        assertEquals(100.0 / 3, n.percentWithin11(), 1e-9);
        assertEquals(100.0 / 3, n.percentWithin30(), 1e-9);
    }

    @Test
    void perfectSaliency() {
        SaliencyMetrics s = new SaliencyMetrics();
        s.add(new float[] {1f, 1f, 0f, 0f}, new int[] {1, 1, 0, 0});
        assertEquals(1.0, s.maxF(), 1e-9);
        assertEquals(1.0, s.meanIoU(), 1e-9);
    }

    @Test
    void saliencyPerThresholdAveraging() {
        SaliencyMetrics s = new SaliencyMetrics();
        // probabilities 0.5 and 0.95 on two positives, 0.3 on a negative:
        // thresholds below 0.3: pred {1,1,1} → P = 2/3, R = 1, IoU 2/3
        // 0.3 ≤ thr < 0.5: pred {1,1,0} → P = R = IoU = 1
        s.add(new float[] {0.5f, 0.95f, 0.3f}, new int[] {1, 1, 0});
        assertEquals(1.0, s.meanIoU(), 1e-9);
        assertEquals(1.0, s.maxF(), 1e-9);
        SaliencyMetrics worse = new SaliencyMetrics();
        worse.add(new float[] {0.1f, 0.1f, 0.95f}, new int[] {1, 1, 0}); // confidently wrong
        assertEquals(0.0, worse.meanIoU(), 1e-9);
        assertEquals(0.0, worse.maxF(), 1e-9);
        assertEquals(0.2, SaliencyMetrics.threshold(0), 1e-12);
        assertEquals(0.9, SaliencyMetrics.threshold(14), 1e-12);
    }
}
