package org.m3vit.eval;

import java.io.Serializable;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.Task;

/**
 * The accumulators of an evaluation over part of a split: one {@link TaskScorer} per task and the expert
 * token counts. Parts of disjoint image ranges {@link #merge} into the part of their union, so a split can
 * be scored in pieces (e.g. one per Spark partition, shipped to the driver serialised) and {@link #result}
 * then gives what a single pass over the whole split gives.
 */
public final class PartialEvaluation implements Serializable {

    private static final long serialVersionUID = 1L;

    private final DatasetLayout layout;
    private final EnumMap<Task, TaskScorer> scorers = new EnumMap<>(Task.class);
    private final EnumMap<Task, TreeMap<Integer, long[]>> usage = new EnumMap<>(Task.class);

    /** An empty part: nothing scored yet for {@code tasks} on {@code layout}. */
    public PartialEvaluation(DatasetLayout layout, List<Task> tasks) {
        this.layout = layout;
        for (Task t : tasks) {
            scorers.put(t, new TaskScorer(t.spec(), layout));
            usage.put(t, new TreeMap<>());
        }
    }

    Map<Task, TaskScorer> scorers() {
        return scorers;
    }

    Map<Task, ? extends Map<Integer, long[]>> usage() {
        return usage;
    }

    /** Images scored per task so far. */
    public Map<Task, Long> images() {
        Map<Task, Long> out = new LinkedHashMap<>();
        scorers.forEach((t, s) -> out.put(t, s.images()));
        return out;
    }

    /** Adds {@code other} (the same dataset and tasks, other images) to this part; returns this. */
    public PartialEvaluation merge(PartialEvaluation other) {
        if (other.layout != layout || !other.scorers.keySet().equals(scorers.keySet())) {
            throw new IllegalArgumentException("cannot merge an evaluation of " + other.scorers.keySet() + " on "
                    + other.layout + " into one of " + scorers.keySet() + " on " + layout);
        }
        scorers.forEach((t, s) -> s.merge(other.scorers.get(t)));
        other.usage.forEach((t, layers) -> layers.forEach((layer, c) -> {
            long[] sum = usage.get(t).computeIfAbsent(layer, k -> new long[c.length]);
            if (sum.length != c.length) {
                throw new IllegalArgumentException(t.id() + " block " + layer + ": " + c.length
                        + " experts in one part, " + sum.length + " in the other");
            }
            for (int i = 0; i < c.length; i++) {
                sum[i] += c[i];
            }
        }));
        return this;
    }

    /** The metrics, Δm and expert usage of what has been scored. */
    public EvaluationResult result() {
        Map<Task, Map<String, Double>> metrics = new LinkedHashMap<>();
        scorers.forEach((t, s) -> metrics.put(t, s.metrics()));
        Map<Task, Map<Integer, long[]>> used = new LinkedHashMap<>();
        usage.forEach((t, layers) -> {
            if (!layers.isEmpty()) {
                used.put(t, new TreeMap<>(layers));
            }
        });
        return new EvaluationResult(metrics, MetricsSummary.deltaM(layout, metrics), used, images());
    }
}
