package org.m3vit.eval;

import java.util.LinkedHashMap;
import java.util.Map;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.Task;

/** Δm from finished scorers, with the dataset's single-task references. */
public final class MetricsSummary {

    private MetricsSummary() {}

    public static Map<String, DeltaM.Reference> references(DatasetLayout dataset) {
        return dataset == DatasetLayout.NYUD ? DeltaM.nyud() : DeltaM.pascal();
    }

    /** Δm over the tasks whose main metric is present and finite; NaN when there is none. */
    public static double deltaM(DatasetLayout dataset, Map<Task, Map<String, Double>> metrics) {
        Map<String, Double> main = new LinkedHashMap<>();
        metrics.forEach((t, m) -> {
            Double v = m.get(t.spec().mainMetric().key());
            if (v != null && Double.isFinite(v)) {
                main.put(t.id(), v);
            }
        });
        return DeltaM.compute(main, references(dataset));
    }
}
