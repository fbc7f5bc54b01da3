package org.m3vit.generalist.evidence;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The analyses' results as rows of strings (header first), for text or markdown tables. */
public final class EvidenceTables {

    private EvidenceTables() {}

    /** One interference matrix: rows the affected task i, columns the source task j. */
    public static List<List<String>> interference(Interference.Result r, int layer) {
        List<List<String>> out = new ArrayList<>();
        List<String> header = new ArrayList<>();
        header.add("i \\ j");
        header.addAll(r.tasks());
        out.add(header);
        double[][] m = r.matrices().get(layer);
        for (int i = 0; i < r.tasks().size(); i++) {
            List<String> row = new ArrayList<>();
            row.add(r.tasks().get(i));
            for (int j = 0; j < r.tasks().size(); j++) {
                row.add(String.format(Locale.ROOT, "%.3f", m[i][j]));
            }
            out.add(row);
        }
        return out;
    }

    /** One activation group (attn or mlp): a row per block · condition, a column per expert (in %). */
    public static List<List<String>> activation(ExpertActivation.Result r, String group) {
        List<List<String>> out = new ArrayList<>();
        List<String> header = new ArrayList<>();
        header.add(group + ": block · " + r.condition().name().toLowerCase(Locale.ROOT));
        for (int e = 0; e < r.experts(); e++) {
            header.add("e" + e);
        }
        out.add(header);
        r.shares().get(group).forEach((row, s) -> {
            List<String> line = new ArrayList<>();
            line.add(row);
            for (double v : s) {
                line.add(String.format(Locale.ROOT, "%.1f", 100 * v));
            }
            out.add(line);
        });
        return out;
    }

    /** A labelled matrix, for heat maps. */
    public record Matrix(List<String> cols, List<String> rows, double[][] values) {}

    /** One activation group as a matrix: rows block · condition, columns experts, values in %. */
    public static Matrix activationMatrix(ExpertActivation.Result r, String group) {
        List<String> cols = new ArrayList<>();
        for (int e = 0; e < r.experts(); e++) {
            cols.add("e" + e);
        }
        List<String> rows = new ArrayList<>(r.shares().get(group).keySet());
        double[][] v = new double[rows.size()][];
        for (int i = 0; i < rows.size(); i++) {
            double[] s = r.shares().get(group).get(rows.get(i));
            v[i] = new double[s.length];
            for (int e = 0; e < s.length; e++) {
                v[i][e] = 100 * s[e];
            }
        }
        return new Matrix(cols, rows, v);
    }

    public static String f(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : "–";
    }
}
