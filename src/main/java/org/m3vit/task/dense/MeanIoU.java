package org.m3vit.task.dense;

/**
 * Dataset-accumulated mean intersection-over-union for class maps (semantic segmentation, human
 * parts). TP/FP/FN per class are summed over every pixel of every image whose ground truth is not the
 * ignore label; IoU_c = TP / max(TP + FP + FN, 1e-8) and mIoU is the mean over all classes, as in the
 * reference evaluation.
 */
public final class MeanIoU implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    public static final int IGNORE = 255;

    private final int classes;
    private final long[] tp;
    private final long[] fp;
    private final long[] fn;
    private long images;

    public MeanIoU(int classes) {
        if (classes < 1) {
            throw new IllegalArgumentException("number of classes must be >= 1, got " + classes);
        }
        this.classes = classes;
        tp = new long[classes];
        fp = new long[classes];
        fn = new long[classes];
    }

    /** Adds one image; pred and gt hold one class id per pixel, gt may hold {@link #IGNORE}. */
    public void add(int[] pred, int[] gt) {
        if (pred.length != gt.length) {
            throw new IllegalArgumentException("prediction has " + pred.length + " pixels, ground truth " + gt.length);
        }
        for (int i = 0; i < gt.length; i++) {
            int g = gt[i];
            if (g == IGNORE) {
                continue;
            }
            int p = pred[i];
            if (g < 0 || g >= classes) {
                throw new IllegalArgumentException(
                        "ground-truth label " + g + " outside [0, " + classes + ") and not " + IGNORE);
            }
            if (p < 0 || p >= classes) {
                throw new IllegalArgumentException("predicted label " + p + " outside [0, " + classes + ")");
            }
            if (p == g) {
                tp[g]++;
            } else {
                fn[g]++;
                fp[p]++;
            }
        }
        images++;
    }

    /** Adds the counts of {@code other} (the same number of classes). */
    public void merge(MeanIoU other) {
        if (other.classes != classes) {
            throw new IllegalArgumentException(
                    "cannot merge mIoU over " + other.classes + " classes into one over " + classes);
        }
        for (int c = 0; c < classes; c++) {
            tp[c] += other.tp[c];
            fp[c] += other.fp[c];
            fn[c] += other.fn[c];
        }
        images += other.images;
    }

    public long images() {
        return images;
    }

    public double iou(int c) {
        return tp[c] / Math.max((double) (tp[c] + fp[c] + fn[c]), 1e-8);
    }

    public double mean() {
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            sum += iou(c);
        }
        return sum / classes;
    }
}
