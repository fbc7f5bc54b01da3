package org.m3vit.task.dense;

import org.m3vit.task.ConstantFit;
import org.m3vit.task.Task;

/** The trivial baseline of a class map: the most frequent valid class (the lowest on ties). */
final class MajorityClassFit implements ConstantFit {

    private final double[] histogram;

    MajorityClassFit(int classes) {
        histogram = new double[classes];
    }

    @Override
    public void add(float[] groundTruth) {
        for (float v : groundTruth) {
            if (v != Task.IGNORE) {
                histogram[(int) v]++;
            }
        }
    }

    @Override
    public float[] constant() {
        int best = 0;
        for (int k = 1; k < histogram.length; k++) {
            best = histogram[k] > histogram[best] ? k : best;
        }
        return new float[] {best};
    }
}
