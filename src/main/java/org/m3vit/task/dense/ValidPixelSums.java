package org.m3vit.task.dense;

import org.m3vit.task.ConstantFit;
import org.m3vit.task.Task;

/**
 * The trivial baseline of a value map: per-channel sums over the valid pixels of the train split, turned
 * into the constant by the task's own rule (a probability, a mean direction, a mean depth).
 */
final class ValidPixelSums implements ConstantFit {

    /** Whether pixel {@code p} of an (H, W, C) map is valid. */
    interface Validity {
        boolean test(float[] hwc, int p, int channels);
    }

    /** The constant from the sums and the number of valid pixels. */
    interface Rule {
        float[] constant(double[] sums, long count);
    }

    /** Valid unless the first channel is the ignore label. */
    static final Validity NOT_IGNORED = (gt, p, c) -> gt[p * c] != Task.IGNORE;

    private final int channels;
    private final Validity validity;
    private final Rule rule;
    private final double[] sums;
    private long count;

    ValidPixelSums(int channels, Validity validity, Rule rule) {
        this.channels = channels;
        this.validity = validity;
        this.rule = rule;
        this.sums = new double[channels];
    }

    @Override
    public void add(float[] groundTruth) {
        int c = channels;
        for (int p = 0; p < groundTruth.length / c; p++) {
            if (!validity.test(groundTruth, p, c)) {
                continue;
            }
            for (int k = 0; k < c; k++) {
                sums[k] += groundTruth[p * c + k];
            }
            count++;
        }
    }

    @Override
    public float[] constant() {
        return rule.constant(sums, count);
    }
}
