package org.m3vit.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.m3vit.report.TextTable;
import org.m3vit.task.MainMetric;
import org.m3vit.task.Task;

/**
 * The demo's comparison: every row's main metric per task (the metric Δm uses), and whether each trained
 * model ends clearly better than the trivial predictor and than its own untrained initialisation.
 *
 * <p>"Clearly better" means better by at least {@link #RELATIVE_MARGIN} of the baseline's value and by
 * at least the task's absolute margin ({@link MainMetric#clearMargin}), so that neither a
 * tiny fraction (0.04 → 0.045 mIoU) nor a large error barely moving counts as a win.
 */
public final class Comparison {

    /** One evaluated model or predictor; an untrained row is named "<trained row> untrained". */
    public record Row(String name, Kind kind, Map<Task, Map<String, Double>> metrics, double deltaM) {}

    public enum Kind {
        TRIVIAL,
        UNTRAINED,
        TRAINED
    }

    /** A trained row's verdict on one task against one baseline row. */
    public record Verdict(
            String model, String baseline, Task task, double value, double baselineValue, boolean clearlyBetter) {}

    public static final double RELATIVE_MARGIN = 0.10;

    private final List<Task> tasks;
    private final List<Row> rows;

    public Comparison(List<Task> tasks, List<Row> rows) {
        this.tasks = List.copyOf(tasks);
        this.rows = List.copyOf(rows);
    }

    public List<Row> rows() {
        return rows;
    }

    static boolean clearlyBetter(Task t, double value, double baseline) {
        if (!Double.isFinite(value) || !Double.isFinite(baseline)) {
            return false; // nothing to compare is never a win (the verdict text says which side is missing)
        }
        MainMetric main = t.spec().mainMetric();
        double gain = main.higherIsBetter() ? value - baseline : baseline - value;
        return gain >= main.clearMargin() && gain >= RELATIVE_MARGIN * Math.abs(baseline);
    }

    /**
     * Each trained row against the trivial row and against the untrained row named {@code "<name> untrained"}.
     */
    public List<Verdict> verdicts() {
        List<Verdict> out = new ArrayList<>();
        for (Row model : rows) {
            if (model.kind() != Kind.TRAINED) {
                continue;
            }
            for (Row base : rows) {
                boolean own = base.kind() == Kind.UNTRAINED && base.name().equals(model.name() + " untrained");
                if (base.kind() != Kind.TRIVIAL && !own) {
                    continue;
                }
                for (Task t : tasks) {
                    double v = main(model, t);
                    double b = main(base, t);
                    out.add(new Verdict(model.name(), base.name(), t, v, b, clearlyBetter(t, v, b)));
                }
            }
        }
        return out;
    }

    public boolean allClearlyBetter() {
        List<Verdict> v = verdicts();
        return !v.isEmpty() && v.stream().allMatch(Verdict::clearlyBetter);
    }

    private static double main(Row r, Task t) {
        Map<String, Double> m = r.metrics().get(t);
        Double v = m == null ? null : m.get(t.spec().mainMetric().key());
        return v == null ? Double.NaN : v;
    }

    /** The table as aligned plain text for the terminal. */
    public String toText() {
        return TextTable.text(header(), cells());
    }

    /** The table and the verdicts as Markdown for the report. */
    public String toMarkdown() {
        return TextTable.markdown(header(), cells()) + '\n' + verdictText();
    }

    /** One line per trained model and baseline: the tasks that are not clearly better, or that all are. */
    public String verdictText() {
        StringBuilder sb = new StringBuilder();
        List<Verdict> all = verdicts();
        for (Row model : rows) {
            for (Row base : rows) {
                List<Verdict> pair = all.stream()
                        .filter(v ->
                                v.model().equals(model.name()) && v.baseline().equals(base.name()))
                        .toList();
                if (pair.isEmpty()) {
                    continue;
                }
                List<String> failed = pair.stream()
                        .filter(v -> !v.clearlyBetter())
                        .map(v -> v.task().id()
                                + (!Double.isFinite(v.value())
                                        ? " (no value)"
                                        : !Double.isFinite(v.baselineValue()) ? " (no baseline value)" : ""))
                        .toList();
                sb.append(String.format(
                        Locale.ROOT,
                        "%s vs %s: %s%n",
                        model.name(),
                        base.name(),
                        failed.isEmpty()
                                ? "clearly better on all " + pair.size() + " tasks"
                                : "NOT clearly better on " + String.join(", ", failed)));
            }
        }
        sb.append(String.format(
                Locale.ROOT,
                "(clearly better: by at least %.0f%% of the baseline's value and by"
                        + " 0.02 on mIoU/odsF, 2° on normals, 0.05 m on depth)%n",
                100 * RELATIVE_MARGIN));
        return sb.toString();
    }

    private List<String> header() {
        List<String> h = new ArrayList<>(List.of("model"));
        for (Task t : tasks) {
            MainMetric main = t.spec().mainMetric();
            h.add(t.id() + " " + main.key() + (main.higherIsBetter() ? " ↑" : " ↓"));
        }
        h.add("Δm % ↑");
        return h;
    }

    private List<List<String>> cells() {
        List<List<String>> out = new ArrayList<>();
        for (Row r : rows) {
            List<String> row = new ArrayList<>(List.of(r.name()));
            for (Task t : tasks) {
                row.add(format(t, main(r, t)));
            }
            row.add(Double.isFinite(r.deltaM()) ? String.format(Locale.ROOT, "%.1f", r.deltaM()) : "–");
            out.add(row);
        }
        return out;
    }

    private static String format(Task t, double v) {
        if (!Double.isFinite(v)) {
            return "–";
        }
        return t.spec().mainMetric().formatted(v);
    }
}
