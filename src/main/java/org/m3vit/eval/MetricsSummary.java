package org.m3vit.eval;

import java.util.LinkedHashMap;
import java.util.Map;
import org.m3vit.task.Dataset;
import org.m3vit.task.Task;

/** Δm from finished scorers, with the dataset's single-task references. */
public final class MetricsSummary {

    private MetricsSummary() {}

    public static Map<String, DeltaM.Reference> references(Dataset dataset) {
        return dataset == Dataset.NYUD ? DeltaM.nyud() : DeltaM.pascal();
    }

    public static double deltaM(Dataset dataset, Map<Task, Map<String, Double>> metrics) {
        Map<String, Double> main = new LinkedHashMap<>();
        metrics.forEach((t, m) -> main.put(t.id(), m.get(TaskScorer.mainMetric(t))));
        return DeltaM.compute(main, references(dataset));
    }
}
