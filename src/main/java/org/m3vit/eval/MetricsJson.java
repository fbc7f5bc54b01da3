package org.m3vit.eval;

import com.google.gson.GsonBuilder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.m3vit.task.Task;

/** The one-line metrics JSON of {@code m3vit score}, {@code m3vit eval} and the demo's results files. */
public final class MetricsJson {

    private MetricsJson() {}

    public static Map<String, Object> of(Map<Task, Map<String, Double>> metrics) {
        Map<String, Object> out = new LinkedHashMap<>();
        metrics.forEach((t, m) -> out.put(t.id(), m));
        return out;
    }

    /** NaN (e.g. Δm without references) is written as NaN rather than failing. */
    public static String format(Object value) {
        return new GsonBuilder().serializeSpecialFloatingPointValues().create().toJson(value);
    }
}
