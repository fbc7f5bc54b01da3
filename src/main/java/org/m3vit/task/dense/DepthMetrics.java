package org.m3vit.task.dense;

/**
 * Depth errors pooled over every valid pixel of the set (valid = ground truth ≠ 0), as the reference
 * computes them: RMSE = sqrt(Σ(gt − pred)² / n) in metres and log-RMSE = sqrt(Σ(ln gt − ln pred)² / n).
 * Predictions ≤ 0 are clamped to 1e-9 first.
 */
public final class DepthMetrics implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    private double squared;
    private double logSquared;
    private long valid;

    public void add(float[] pred, float[] gt) {
        if (pred.length != gt.length) {
            throw new IllegalArgumentException("prediction has " + pred.length + " pixels, ground truth " + gt.length);
        }
        for (int i = 0; i < gt.length; i++) {
            float g = gt[i];
            if (g == 0f || Float.isNaN(g)) {
                continue;
            }
            double p = Math.max(pred[i], 1e-9);
            double d = g - p;
            squared += d * d;
            double l = Math.log(g) - Math.log(p);
            logSquared += l * l;
            valid++;
        }
    }

    /** Adds the squared-error sums and the pixel count of {@code other}. */
    public void merge(DepthMetrics other) {
        squared += other.squared;
        logSquared += other.logSquared;
        valid += other.valid;
    }

    public long validPixels() {
        return valid;
    }

    public double rmse() {
        return valid == 0 ? Double.NaN : Math.sqrt(squared / valid);
    }

    public double logRmse() {
        return valid == 0 ? Double.NaN : Math.sqrt(logSquared / valid);
    }
}
