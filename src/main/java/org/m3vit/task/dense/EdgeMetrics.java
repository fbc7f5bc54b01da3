package org.m3vit.task.dense;

import java.util.stream.IntStream;
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
public final class EdgeMetrics implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

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
        // Binarised maps are nested (a higher threshold keeps a subset), so thresholds that keep as many
        // pixels keep the same pixels: each distinct map is thinned and matched once. The distinct maps are
        // independent, so they run in parallel (thinning a nearly full map is the costly part).
        long[] kept = new long[THRESHOLDS];
        for (int i = 0; i < n; i++) {
            if (gt[i] != Task.IGNORE) {
                for (int t = 0; t < THRESHOLDS && prob[i] >= threshold(t); t++) {
                    kept[t]++;
                }
            }
        }
        int[] firstWithSameMap = new int[THRESHOLDS];
        for (int t = 0; t < THRESHOLDS; t++) {
            firstWithSameMap[t] = t > 0 && kept[t] == kept[t - 1] ? firstWithSameMap[t - 1] : t;
        }
        long[][] counts = new long[THRESHOLDS][]; // {matched, predicted} at each distinct map's first threshold
        IntStream.range(0, THRESHOLDS)
                .filter(t -> firstWithSameMap[t] == t)
                .parallel()
                .forEach(t -> {
                    double thr = threshold(t);
                    boolean[] pred = new boolean[n];
                    for (int i = 0; i < n; i++) {
                        pred[i] = prob[i] >= thr && gt[i] != Task.IGNORE;
                    }
                    EdgeMaps.thin(pred, height, width);
                    long count = 0;
                    for (boolean p : pred) {
                        count += p ? 1 : 0;
                    }
                    counts[t] = new long[] {BoundaryMatching.match(pred, gtMask, height, width, maxDist), count};
                });
        for (int t = 0; t < THRESHOLDS; t++) {
            matched[t] += counts[firstWithSameMap[t]][0];
            predicted[t] += counts[firstWithSameMap[t]][1];
        }
        groundTruth += gtCount;
        images++;
    }

    /** Adds the per-threshold matched and predicted counts and the ground-truth count of {@code other}. */
    public void merge(EdgeMetrics other) {
        for (int t = 0; t < THRESHOLDS; t++) {
            matched[t] += other.matched[t];
            predicted[t] += other.predicted[t];
        }
        groundTruth += other.groundTruth;
        images += other.images;
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
