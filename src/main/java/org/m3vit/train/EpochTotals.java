package org.m3vit.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One epoch's step results added up, for its {@link EpochRecord} and its expert usage (tokens per expert,
 * summed). Each task's loss is the mean over the steps that reported it (every step for M³ViT; the steps
 * that sampled it for a one-task-per-batch model); the balancing loss and the gradient norm are means per
 * step. A step checkpoint saves the totals ({@link #progress}) so that an epoch resumed in the middle adds
 * up to exactly what the uninterrupted epoch would have.
 */
final class EpochTotals {

    private final List<String> tasks;
    /** Per task id: {sum of losses, steps that reported it}. */
    private final Map<String, double[]> lossSums = new LinkedHashMap<>();

    private final Map<String, Map<Integer, long[]>> usage = new LinkedHashMap<>();
    private double auxSum;
    private double gradNormSum;
    private int steps;

    EpochTotals(List<String> tasks) {
        this.tasks = tasks;
        tasks.forEach(t -> lossSums.put(t, new double[2]));
    }

    /** The totals a step checkpoint saved (null: a fresh epoch). */
    static EpochTotals of(List<String> tasks, Checkpoint.EpochProgress p) {
        EpochTotals t = new EpochTotals(tasks);
        if (p == null) {
            return t;
        }
        for (String task : tasks) {
            Double v = p.lossSums.get(task);
            Integer n = p.lossCounts == null ? null : p.lossCounts.get(task);
            double[] sum = t.lossSums.get(task);
            sum[0] = v == null ? 0 : v;
            // a checkpoint without counts comes from a loop where every step reported every task
            sum[1] = n != null ? n : (v == null ? 0 : p.steps);
        }
        t.auxSum = p.auxSum;
        t.gradNormSum = p.gradNormSum;
        t.steps = p.steps;
        p.expertCounts.forEach((id, layers) -> {
            Map<Integer, long[]> m = new TreeMap<>();
            layers.forEach((l, c) -> m.put(Integer.parseInt(l), c.clone()));
            t.usage.put(id, m);
        });
        return t;
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
        r.expertCounts().forEach((task, layers) -> {
            Map<Integer, long[]> perLayer = usage.computeIfAbsent(task, k -> new TreeMap<>());
            layers.forEach((layer, c) -> {
                long[] acc = perLayer.computeIfAbsent(layer, k -> new long[c.length]);
                for (int j = 0; j < c.length; j++) {
                    acc[j] += c[j];
                }
            });
        });
    }

    /** The running totals, as a step checkpoint stores them. */
    Checkpoint.EpochProgress progress() {
        Checkpoint.EpochProgress p = new Checkpoint.EpochProgress();
        for (String t : tasks) {
            double[] sum = lossSums.get(t);
            p.lossSums.put(t, sum[0]);
            p.lossCounts.put(t, (int) sum[1]);
        }
        p.auxSum = auxSum;
        p.gradNormSum = gradNormSum;
        p.steps = steps;
        usage.forEach((t, layers) -> {
            Map<String, long[]> m = new LinkedHashMap<>();
            layers.forEach((l, c) -> m.put(Integer.toString(l), c.clone()));
            p.expertCounts.put(t, m);
        });
        return p;
    }

    /** Tokens per expert so far: task id → MoE block → counts (empty for a dense model). */
    Map<String, Map<Integer, long[]>> expertUsage() {
        return Collections.unmodifiableMap(usage);
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
