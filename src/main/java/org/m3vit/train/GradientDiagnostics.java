package org.m3vit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Where a non-finite gradient norm comes from, for the divergence message (diagnostics only, slow). */
final class GradientDiagnostics {

    private GradientDiagnostics() {}

    /**
     * Names of the first parameters whose gradient holds a NaN or infinity, or, when every element is
     * finite, the largest |g| (then only the squared norm overflowed float32).
     */
    static String nonFinite(Map<String, Parameter> parameters) {
        List<String> bad = new ArrayList<>();
        int total = 0;
        for (var e : parameters.entrySet()) {
            if (e.getValue().requiresGradient()) {
                NDArray g = e.getValue().getArray().getGradient();
                long n = g.isNaN().logicalOr(g.isInfinite()).countNonzero().getLong();
                if (n > 0) {
                    total++;
                    if (bad.size() < 6) {
                        bad.add(e.getKey() + " (" + n + ")");
                    }
                }
            }
        }
        if (total == 0) {
            String largest = "";
            double max = -1;
            for (var e : parameters.entrySet()) {
                if (e.getValue().requiresGradient()) {
                    double m = e.getValue().getArray().getGradient().abs().max().getFloat();
                    if (m > max) {
                        max = m;
                        largest = e.getKey();
                    }
                }
            }
            return "no tensor: every element is finite, but the squared norm overflows float32 (largest |g| " + max
                    + " in " + largest + ")";
        }
        return total + " tensors: " + String.join(", ", bad) + (total > bad.size() ? ", …" : "");
    }
}
