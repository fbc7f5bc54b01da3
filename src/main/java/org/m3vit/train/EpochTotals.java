package org.m3vit.train;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.m3vit.task.Task;

/** One epoch's step results added up, for its {@link EpochRecord} (means per step). */
final class EpochTotals {

    private final List<Task> tasks;
    private final Map<Task, double[]> lossSums = new EnumMap<>(Task.class);
    private double auxSum;
    private double gradNormSum;
    private int steps;

    EpochTotals(List<Task> tasks) {
        this.tasks = tasks;
        tasks.forEach(t -> lossSums.put(t, new double[1]));
    }

    void add(StepResult r) {
        r.losses().forEach((t, v) -> lossSums.get(t)[0] += v);
        auxSum += r.auxLoss();
        gradNormSum += r.gradNorm();
        steps++;
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
