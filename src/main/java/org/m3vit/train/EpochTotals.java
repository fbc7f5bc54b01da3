package org.m3vit.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One epoch's step results added up, for its {@link EpochRecord}: each task's loss is the mean over the
 * steps that reported it (every step for M³ViT; the steps that sampled it for a one-task-per-batch model),
 * the balancing loss and the gradient norm are means per step.
 */
final class EpochTotals {

    private final List<String> tasks;
    private final Map<String, double[]> lossSums = new LinkedHashMap<>();
    private double auxSum;
    private double gradNormSum;
    private int steps;

    EpochTotals(List<String> tasks) {
        this.tasks = tasks;
        tasks.forEach(t -> lossSums.put(t, new double[2]));
    }

    void add(StepResult r) {
        r.losses().forEach((t, v) -> {
            double[] sum = lossSums.get(t);
            sum[0] += v;
            sum[1]++;
        });
        auxSum += r.auxLoss();
        gradNormSum += r.gradNorm();
        steps++;
    }

    /** The epoch's record; {@code val}, {@code deltaM} and {@code score} are null without validation. */
    EpochRecord record(
            int epoch,
            long globalStep,
            float lr,
            Map<String, Map<String, Double>> val,
            Double deltaM,
            Double score,
            double seconds) {
        Map<String, Double> trainLoss = new LinkedHashMap<>();
        for (String t : tasks) {
            double[] sum = lossSums.get(t);
            if (sum[1] > 0) {
                trainLoss.put(t, sum[0] / sum[1]);
            }
        }
        return new EpochRecord(
                epoch, globalStep, lr, trainLoss, auxSum / steps, gradNormSum / steps, val, deltaM, seconds, score);
    }
}
