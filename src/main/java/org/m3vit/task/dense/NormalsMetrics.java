package org.m3vit.task.dense;

/**
 * Angular error of surface normals over all valid pixels of the set: mean, median and RMSE in degrees
 * and the percentage of pixels within 11.25°, 22.5° and 30°. Both prediction and ground truth are
 * L2-normalised per pixel; pixels whose ground truth has zero norm are ignored. The median comes from
 * a histogram with 0.001° bins, so memory stays constant however large the set is.
 */
public final class NormalsMetrics implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    private static final double BIN = 0.001;
    private static final int BINS = (int) Math.round(180 / BIN) + 1;

    private final long[] histogram = new long[BINS];
    private double sum;
    private double sumSquares;
    private long within11;
    private long within22;
    private long within30;
    private long valid;

    /**
     * Adds one image. Both arrays are planar (3, H, W): all x components, then y, then z.
     */
    public void add(float[] pred, float[] gt) {
        if (pred.length != gt.length || gt.length % 3 != 0) {
            throw new IllegalArgumentException(
                    "normals must both be (3, H, W); got " + pred.length + " and " + gt.length + " values");
        }
        int n = gt.length / 3;
        for (int i = 0; i < n; i++) {
            double gx = gt[i];
            double gy = gt[n + i];
            double gz = gt[2 * n + i];
            double gNorm = Math.sqrt(gx * gx + gy * gy + gz * gz);
            if (gNorm == 0 || Double.isNaN(gNorm)) {
                continue;
            }
            double px = pred[i];
            double py = pred[n + i];
            double pz = pred[2 * n + i];
            double pNorm = Math.sqrt(px * px + py * py + pz * pz);
            double cos = pNorm == 0 ? 0 : (px * gx + py * gy + pz * gz) / (pNorm * gNorm);
            double angle = Math.toDegrees(Math.acos(Math.max(-1, Math.min(1, cos))));
            record(angle);
        }
    }

    void record(double angle) {
        sum += angle;
        sumSquares += angle * angle;
        within11 += angle < 11.25 ? 1 : 0;
        within22 += angle < 22.5 ? 1 : 0;
        within30 += angle < 30 ? 1 : 0;
        histogram[(int) Math.round(angle / BIN)]++;
        valid++;
    }

    /** Adds the sums, counts and histogram of {@code other}. */
    public void merge(NormalsMetrics other) {
        for (int b = 0; b < BINS; b++) {
            histogram[b] += other.histogram[b];
        }
        sum += other.sum;
        sumSquares += other.sumSquares;
        within11 += other.within11;
        within22 += other.within22;
        within30 += other.within30;
        valid += other.valid;
    }

    public long validPixels() {
        return valid;
    }

    public double mean() {
        return sum / valid;
    }

    public double rmse() {
        return Math.sqrt(sumSquares / valid);
    }

    /** Median to within one 0.001° bin (the lower median for an even count). */
    public double median() {
        if (valid == 0) {
            return Double.NaN;
        }
        long target = (valid + 1) / 2;
        long seen = 0;
        for (int b = 0; b < BINS; b++) {
            seen += histogram[b];
            if (seen >= target) {
                return b * BIN;
            }
        }
        return 180;
    }

    public double percentWithin11() {
        return 100.0 * within11 / valid;
    }

    public double percentWithin22() {
        return 100.0 * within22 / valid;
    }

    public double percentWithin30() {
        return 100.0 * within30 / valid;
    }
}
