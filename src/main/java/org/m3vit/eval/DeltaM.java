package org.m3vit.eval;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Multi-task performance Δm = (1/T) Σ_t s_t · (M_t − M_t^STL) / M_t^STL, as a percentage, with
 * s = +1 where higher is better (semseg/human-parts/saliency mIoU, edge odsF) and −1 where lower is
 * better (depth RMSE, normals mean angle). Only tasks present in both maps count.
 */
public final class DeltaM {

    /** A task's main metric and whether higher is better. */
    public record Reference(double value, boolean higherIsBetter) {}

    private DeltaM() {}

    /** The reference's single-task baselines for NYUD-v2. */
    public static Map<String, Reference> nyud() {
        Map<String, Reference> m = new LinkedHashMap<>();
        m.put("semseg", new Reference(0.439, true));
        m.put("depth", new Reference(0.585, false));
        m.put("normals", new Reference(19.763, false));
        return m;
    }

    /** The reference's single-task baselines for PASCAL-Context (edge 0.688 as the reference lists it). */
    public static Map<String, Reference> pascal() {
        Map<String, Reference> m = new LinkedHashMap<>();
        m.put("semseg", new Reference(0.662, true));
        m.put("human_parts", new Reference(0.599, true));
        m.put("sal", new Reference(0.663, true));
        m.put("normals", new Reference(13.9, false));
        m.put("edge", new Reference(0.688, true));
        return m;
    }

    /**
     * @param results each task's main metric (semseg/human_parts/sal mIoU, edge odsF, depth RMSE,
     *     normals mean angle)
     * @return Δm in percent; NaN when no task has a reference
     */
    public static double compute(Map<String, Double> results, Map<String, Reference> references) {
        double sum = 0;
        int n = 0;
        for (var e : results.entrySet()) {
            Reference ref = references.get(e.getKey());
            if (ref == null) {
                continue;
            }
            double rel = (e.getValue() - ref.value()) / ref.value();
            sum += ref.higherIsBetter() ? rel : -rel;
            n++;
        }
        return n == 0 ? Double.NaN : 100.0 * sum / n;
    }
}
