package org.m3vit.task.dense;

/**
 * Saliency as the reference evaluates it: the predicted probability map is thresholded at 15 values
 * linspace(0.2, 0.9); per image and threshold the Jaccard index, precision and recall against the
 * binary ground truth are computed, then averaged over images per threshold.
 * mIoU = max over thresholds of the mean Jaccard; maxF = max over thresholds of
 * 2·mP·mR / (mP + mR + 1e-12). Ground-truth pixels equal to 255 are ignored; an image where both
 * maps are empty has Jaccard 1.
 */
public final class SaliencyMetrics implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    public static final int THRESHOLDS = 15;

    private final double[] jaccard = new double[THRESHOLDS];
    private final double[] precision = new double[THRESHOLDS];
    private final double[] recall = new double[THRESHOLDS];
    private long images;

    public static double threshold(int i) {
        return 0.2 + i * (0.9 - 0.2) / (THRESHOLDS - 1);
    }

    /**
     * @param prob predicted saliency probability per pixel in [0, 1]
     * @param gt ground truth per pixel: 0, 1, or 255 (ignored)
     */
    public void add(float[] prob, int[] gt) {
        if (prob.length != gt.length) {
            throw new IllegalArgumentException("prediction has " + prob.length + " pixels, ground truth " + gt.length);
        }
        for (int t = 0; t < THRESHOLDS; t++) {
            double thr = threshold(t);
            long tp = 0;
            long fp = 0;
            long fn = 0;
            for (int i = 0; i < gt.length; i++) {
                int g = gt[i];
                if (g == MeanIoU.IGNORE) {
                    continue;
                }
                boolean p = prob[i] > thr;
                boolean pos = g > 0;
                if (p && pos) {
                    tp++;
                } else if (p) {
                    fp++;
                } else if (pos) {
                    fn++;
                }
            }
            long union = tp + fp + fn;
            jaccard[t] += union == 0 ? 1.0 : (double) tp / union;
            precision[t] += tp / (tp + fp + 1e-12);
            recall[t] += tp / (tp + fn + 1e-12);
        }
        images++;
    }

    /** Adds the per-threshold sums of {@code other}. */
    public void merge(SaliencyMetrics other) {
        for (int t = 0; t < THRESHOLDS; t++) {
            jaccard[t] += other.jaccard[t];
            precision[t] += other.precision[t];
            recall[t] += other.recall[t];
        }
        images += other.images;
    }

    public long images() {
        return images;
    }

    public double maxF() {
        double best = 0;
        for (int t = 0; t < THRESHOLDS; t++) {
            double p = precision[t] / images;
            double r = recall[t] / images;
            best = Math.max(best, 2 * p * r / (p + r + 1e-12));
        }
        return best;
    }

    public double meanIoU() {
        double best = 0;
        for (int t = 0; t < THRESHOLDS; t++) {
            best = Math.max(best, jaccard[t] / images);
        }
        return best;
    }
}
