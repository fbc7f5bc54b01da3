package org.m3vit.eval;

import org.m3vit.data.EdgeMaps;
import org.m3vit.task.Task;

/**
 * Edge detection F-measure at the optimal dataset scale (odsF), BSDS-style. For each of 99 thresholds
 * 0.01…0.99 the predicted edge probability map is binarised (≥ threshold) and thinned to one-pixel
 * boundaries; predicted and ground-truth boundary pixels are matched one-to-one within a distance of
 * 0.0075 × the image diagonal ({@link BoundaryMatching}). Matched and total counts are summed over the
 * dataset per threshold; P = matched/predicted, R = matched/ground truth, and odsF is the best
 * F = 2PR/(P+R) over thresholds. Ground-truth pixels labelled 255 are ignored, and predictions there
 * are dropped.
 */
public final class EdgeMetrics {

    public static final int THRESHOLDS = 99;
    public static final double MAX_DIST_FRACTION = 0.0075;

    private final long[] matched = new long[THRESHOLDS];
    private final long[] predicted = new long[THRESHOLDS];
    private long groundTruth;
    private long images;

    public static double threshold(int i) {
        return (i + 1) / 100.0;
    }

    /**
     * @param prob edge probability per pixel (H·W, row-major) in [0, 1]
     * @param gt ground-truth edges: 1 boundary, 0 not, 255 ignored
     */
    public void add(float[] prob, int[] gt, int height, int width) {
        int n = height * width;
        if (prob.length != n || gt.length != n) {
            throw new IllegalArgumentException("edge maps must have " + n + " pixels (" + height + "x" + width
                    + "), got prediction " + prob.length + " and ground truth " + gt.length);
        }
        boolean[] gtMask = new boolean[n];
        long gtCount = 0;
        for (int i = 0; i < n; i++) {
            gtMask[i] = gt[i] == 1;
            gtCount += gtMask[i] ? 1 : 0;
        }
        double maxDist = MAX_DIST_FRACTION * Math.sqrt((double) height * height + (double) width * width);
        boolean[] pred = new boolean[n];
        for (int t = 0; t < THRESHOLDS; t++) {
            double thr = threshold(t);
            long count = 0;
            for (int i = 0; i < n; i++) {
                pred[i] = prob[i] >= thr && gt[i] != Task.IGNORE;
            }
            EdgeMaps.thin(pred, height, width);
            for (boolean p : pred) {
                count += p ? 1 : 0;
            }
            matched[t] += BoundaryMatching.match(pred, gtMask, height, width, maxDist);
            predicted[t] += count;
        }
        groundTruth += gtCount;
        images++;
    }

    public long images() {
        return images;
    }

    public double odsF() {
        double best = 0;
        for (int t = 0; t < THRESHOLDS; t++) {
            double r = groundTruth == 0 ? 0 : (double) matched[t] / groundTruth;
            double p = predicted[t] == 0 ? 0 : (double) matched[t] / predicted[t];
            if (p + r > 0) {
                best = Math.max(best, 2 * p * r / (p + r));
            }
        }
        return best;
    }
}
