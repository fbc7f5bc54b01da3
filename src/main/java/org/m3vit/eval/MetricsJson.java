package org.m3vit.eval;

import com.google.gson.GsonBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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

    /**
     * Valid JSON always: a value that is not a finite number (Δm without references, a metric with nothing
     * to average) is written as {@code null}, never as {@code NaN} or {@code Infinity}.
     */
    public static String format(Object value) {
        return new GsonBuilder().serializeNulls().create().toJson(finite(value));
    }

    private static Object finite(Object v) {
        if (v instanceof Double d) {
            return Double.isFinite(d) ? d : null;
        }
        if (v instanceof Float f) {
            return Float.isFinite(f) ? f : null;
        }
        if (v instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(k, finite(x)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(finite(x)));
            return out;
        }
        return v;
    }
}
