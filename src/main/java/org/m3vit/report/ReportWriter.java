package org.m3vit.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.io.AtomicFiles;
import org.m3vit.io.ImageFiles;
import org.m3vit.task.Task;
import org.m3vit.task.TaskSpecs;

/**
 * Writes a comparison report of one or more runs ({@link RunData}) into a directory:
 * <ul>
 *   <li>{@code report.md}: a table of every run's final metrics per task, Δm, parameters and GFLOPs,
 *       and links to the plots;</li>
 *   <li>{@code loss_<run>.png}: training loss per task, total and MoE balancing loss over epochs;</li>
 *   <li>{@code val_<task>.png}: each task's main validation metric over epochs, one line per run;</li>
 *   <li>{@code metrics_<task>.png}: final metrics of each task as grouped bars, one bar per run;</li>
 *   <li>{@code experts_<run>_<task>.png}: expert usage heatmap (MoE block × expert, % of tokens);</li>
 *   <li>{@code examples.png}: input, ground truth and prediction per task for a few images (if given).</li>
 * </ul>
 */
public final class ReportWriter {

    /** The file names this writer gives its output, so that a re-run can recognise (and clear) its own files. */
    private static final String REPORT_MD = "report.md";

    private static final String EXAMPLES_PNG = "examples.png";
    private static final String LOSS = "loss_";
    private static final String VALIDATION = "val_";
    private static final String METRICS = "metrics_";
    private static final String EXPERTS = "experts_";
    private static final List<String> PLOT_PREFIXES = List.of(LOSS, VALIDATION, METRICS, EXPERTS);

    private ReportWriter() {}

    /** Where {@link #write} puts {@code report.md} in {@code out}. */
    public static Path reportFile(Path out) {
        return out.resolve(REPORT_MD);
    }

    /** Whether {@code fileName} is one of the plots this writer produces (report.md aside). */
    public static boolean isPlot(String fileName) {
        return fileName.endsWith(".png")
                && (fileName.equals(EXAMPLES_PNG) || PLOT_PREFIXES.stream().anyMatch(fileName::startsWith));
    }

    /** Writes the report and returns the path of {@code report.md}. */
    public static Path write(List<RunData> runs, List<ExamplePrediction> examples, Path out) throws IOException {
        return write(runs, examples, out, "");
    }

    /**
     * Writes the report with {@code summary} (Markdown) right under the title. Runs without epochs (a
     * baseline that was only evaluated, such as a trivial predictor or an untrained model) appear in the
     * tables and metric bars but have no loss curves.
     */
    public static Path write(List<RunData> runs, List<ExamplePrediction> examples, Path out, String summary)
            throws IOException {
        if (runs.isEmpty()) {
            throw InvalidInputException.field("runs", "a report needs at least one run");
        }
        Files.createDirectories(out);
        Map<String, List<String>> metrics = metricColumns(runs);
        StringBuilder md = new StringBuilder("# M³ViT run report\n\n");
        if (!summary.isEmpty()) {
            md.append(summary.strip()).append("\n\n");
        }
        md.append("Final metrics per run (mIoU, maxF, odsF as fractions; normals in degrees, and % of pixels within")
                .append(
                        " the angle; depth in metres). Δm in percent against the reference's single-task baselines.\n\n");
        appendTable(md, runs, metrics);

        md.append("\n## Training loss\n\n");
        for (RunData r : runs) {
            if (r.epochs().isEmpty()) {
                continue;
            }
            String f = LOSS + safe(r.name()) + ".png";
            Charts.lossCurves(r, out.resolve(f));
            md.append("![loss ").append(r.name()).append("](").append(f).append(")\n");
        }
        boolean anyValidation = runs.stream()
                .flatMap(r -> r.epochs().stream())
                .anyMatch(e -> e.val() != null && !e.val().isEmpty());
        if (anyValidation) {
            md.append("\n## Validation during training\n\n");
            for (String task : metrics.keySet()) {
                String f = VALIDATION + safe(task) + ".png";
                Charts.validationCurves(task, mainMetric(task), runs, out.resolve(f));
                md.append("![val ").append(task).append("](").append(f).append(")\n");
            }
        }
        md.append("\n## Final metrics\n\n");
        for (var e : metrics.entrySet()) {
            String f = METRICS + safe(e.getKey()) + ".png";
            Charts.metricBars(e.getKey(), e.getValue(), runs, out.resolve(f));
            md.append("![").append(e.getKey()).append("](").append(f).append(")\n");
        }
        boolean anyUsage =
                runs.stream().flatMap(r -> r.expertUsage().values().stream()).anyMatch(l -> !l.isEmpty());
        if (anyUsage) {
            md.append("\n## Expert usage\n\nShare of each MoE block's token assignments that went to each expert,")
                    .append(" per task pathway.\n\n");
            for (RunData r : runs) {
                for (var e : r.expertUsage().entrySet()) {
                    if (e.getValue().isEmpty()) {
                        continue; // a dense model's pathway has no MoE blocks
                    }
                    String f = EXPERTS + safe(r.name()) + "_" + safe(e.getKey()) + ".png";
                    Charts.expertHeatmap(r.name(), e.getKey(), e.getValue(), out.resolve(f));
                    md.append("![experts ")
                            .append(r.name())
                            .append(' ')
                            .append(e.getKey())
                            .append("](")
                            .append(f)
                            .append(")\n");
                }
            }
        }
        if (examples != null && !examples.isEmpty()) {
            List<Task> tasks = new ArrayList<>();
            for (Task t : Task.values()) {
                if (examples.get(0).outputs().containsKey(t)) {
                    tasks.add(t);
                }
            }
            ImageFiles.writePng(out.resolve(EXAMPLES_PNG), ExampleGrid.render(examples, tasks));
            md.append("\n## Example predictions\n\nPer row: input, then ground truth and prediction for each task.\n\n")
                    .append("![examples](")
                    .append(EXAMPLES_PNG)
                    .append(")\n");
        }
        Path report = reportFile(out);
        AtomicFiles.write(report, md.toString().getBytes(StandardCharsets.UTF_8));
        return report;
    }

    /** Metric keys in the order of the metrics JSON (tasks use disjoint subsequences of it). */
    private static final List<String> METRIC_ORDER =
            List.of("maxF", "mIoU", "odsF", "mean", "median", "rmse", "log_rmse", "11.25", "22.5", "30");

    /**
     * Task → metric names over all runs, tasks in the reference order and metrics in the JSON's order
     * (unknown metrics last, as first seen), so the table does not depend on how the files were written.
     */
    static Map<String, List<String>> metricColumns(List<RunData> runs) {
        Map<String, Set<String>> seen = new LinkedHashMap<>();
        for (Task t : Task.values()) {
            for (RunData r : runs) {
                Map<String, Double> m = r.finalMetrics().get(t.id());
                if (m != null) {
                    seen.computeIfAbsent(t.id(), k -> new LinkedHashSet<>()).addAll(m.keySet());
                }
            }
        }
        Map<String, List<String>> out = new LinkedHashMap<>();
        seen.forEach((k, v) -> {
            List<String> names = new ArrayList<>(v);
            names.sort(Comparator.comparingInt(
                    n -> METRIC_ORDER.contains(n) ? METRIC_ORDER.indexOf(n) : METRIC_ORDER.size()));
            out.put(k, names);
        });
        return out;
    }

    private static void appendTable(StringBuilder md, List<RunData> runs, Map<String, List<String>> metrics) {
        List<String> header = new ArrayList<>(List.of("run", "epochs"));
        metrics.forEach((task, ms) -> ms.forEach(m -> header.add(task + " " + m)));
        header.addAll(List.of("Δm (%)", "params (M)", "GFLOPs"));
        List<List<String>> rows = new ArrayList<>();
        for (RunData r : runs) {
            List<String> row =
                    new ArrayList<>(List.of(r.name(), String.valueOf(r.epochs().size())));
            metrics.forEach((task, ms) -> {
                Map<String, Double> m = r.finalMetrics().get(task);
                ms.forEach(name -> row.add(format(m == null ? null : m.get(name))));
            });
            row.add(format(r.deltaM()));
            row.add(r.params() == null ? "–" : String.format(Locale.ROOT, "%.2f", r.params() / 1e6));
            row.add(format(r.gflops()));
            rows.add(row);
        }
        md.append(TextTable.markdown(header, rows));
    }

    /** The main metric of a task named in a run's metrics; mIoU for a task no spec is registered for. */
    private static String mainMetric(String task) {
        return TaskSpecs.find(task).map(s -> s.mainMetric().key()).orElse("mIoU");
    }

    private static String format(Double v) {
        if (v == null || v.isNaN()) {
            return "–";
        }
        return String.format(Locale.ROOT, Math.abs(v) >= 10 ? "%.2f" : "%.4f", v);
    }

    /** A run or task name usable in a file name. */
    static String safe(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
