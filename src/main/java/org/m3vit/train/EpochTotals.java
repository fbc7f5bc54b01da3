package org.m3vit.train;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.m3vit.task.Task;

/**
 * One epoch's step results added up, for its {@link EpochRecord} (means per step) and its expert usage
 * (tokens per expert, summed). A step checkpoint saves them ({@link #progress}) so that an epoch resumed in
 * the middle adds up to exactly what the uninterrupted epoch would have.
 */
final class EpochTotals {

    private final List<Task> tasks;
    private final Map<Task, double[]> lossSums = new EnumMap<>(Task.class);
    private final Map<Task, Map<Integer, long[]>> usage = new EnumMap<>(Task.class);
    private double auxSum;
    private double gradNormSum;
    private int steps;

    EpochTotals(List<Task> tasks) {
        this.tasks = tasks;
        tasks.forEach(t -> lossSums.put(t, new double[1]));
    }

    /** The totals a step checkpoint saved (null: a fresh epoch). */
    static EpochTotals of(List<Task> tasks, Checkpoint.EpochProgress p) {
        EpochTotals t = new EpochTotals(tasks);
        if (p == null) {
            return t;
        }
        for (Task task : tasks) {
            Double v = p.lossSums.get(task.id());
            t.lossSums.get(task)[0] = v == null ? 0 : v;
        }
        t.auxSum = p.auxSum;
        t.gradNormSum = p.gradNormSum;
        t.steps = p.steps;
        p.expertCounts.forEach((id, layers) -> {
            Map<Integer, long[]> m = new TreeMap<>();
            layers.forEach((l, c) -> m.put(Integer.parseInt(l), c.clone()));
            t.usage.put(Task.parse(id), m);
        });
        return t;
    }

    void add(StepResult r) {
        r.losses().forEach((t, v) -> lossSums.get(t)[0] += v);
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
        for (Task t : tasks) {
            p.lossSums.put(t.id(), lossSums.get(t)[0]);
        }
        p.auxSum = auxSum;
        p.gradNormSum = gradNormSum;
        p.steps = steps;
        usage.forEach((t, layers) -> {
            Map<String, long[]> m = new LinkedHashMap<>();
            layers.forEach((l, c) -> m.put(Integer.toString(l), c.clone()));
            p.expertCounts.put(t.id(), m);
        });
        return p;
    }

    /** Tokens per expert so far: task → MoE block → counts (empty for a dense model). */
    Map<Task, Map<Integer, long[]>> expertUsage() {
        return Collections.unmodifiableMap(usage);
    }

    /** The epoch's record; {@code val} and {@code deltaM} are null without validation. */
    EpochRecord record(
            int epoch, long globalStep, float lr, Map<String, Map<String, Double>> val, Double deltaM, double seconds) {
        Map<String, Double> trainLoss = new LinkedHashMap<>();
        for (Task t : tasks) {
            trainLoss.put(t.id(), lossSums.get(t)[0] / steps);
        }
        return new EpochRecord(
                epoch, globalStep, lr, trainLoss, auxSum / steps, gradNormSum / steps, val, deltaM, seconds);
    }
}
