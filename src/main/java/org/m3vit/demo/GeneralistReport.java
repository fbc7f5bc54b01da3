package org.m3vit.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.m3vit.generalist.eval.GeneralistEvaluation;
import org.m3vit.generalist.evidence.EvidenceTables;
import org.m3vit.generalist.evidence.ExpertActivation;
import org.m3vit.generalist.evidence.Interference;
import org.m3vit.generalist.evidence.InterferenceMath;
import org.m3vit.generalist.task.GeneralistTask;
import org.m3vit.io.AtomicFiles;
import org.m3vit.report.Plots;
import org.m3vit.report.TextTable;

/** The generalist demo's tables, verdicts and {@code report/report.md} with its PNGs. */
public final class GeneralistReport {

    private GeneralistReport() {}

    /** A main metric is clearly above chance when it beats it by this much (absolute). */
    static final double CLEAR = 0.05;

    static String f(double v) {
        return EvidenceTables.f(v);
    }

    /** "task main=value" for each task. */
    static String mainMetrics(GeneralistEvaluation.Result r) {
        List<String> parts = new ArrayList<>();
        r.metrics().forEach((task, m) -> {
            String k = GeneralistTask.get(task).mainMetric().key();
            parts.add(task + " " + k + " " + f(m.get(k)));
        });
        return String.join(", ", parts);
    }

    /** The routing comparison: main metric per task, interference per block, zero-shot; chance last. */
    public static List<List<String>> comparison(List<GeneralistDemo.Model> models) {
        List<List<String>> rows = new ArrayList<>();
        List<String> header = new ArrayList<>(List.of("model", "steps", "train s"));
        GeneralistDemo.Model first = models.get(0);
        List<String> tasks = new ArrayList<>(first.eval().metrics().keySet());
        for (String t : tasks) {
            header.add(t + " " + GeneralistTask.get(t).mainMetric().key());
        }
        for (int b : first.interference().layers()) {
            header.add("interf. b" + b);
        }
        header.add("zero-shot top1");
        rows.add(header);
        for (GeneralistDemo.Model m : models) {
            List<String> row = new ArrayList<>(List.of(
                    m.name(), Integer.toString(m.steps()), String.format(Locale.ROOT, "%.0f", m.trainSeconds())));
            for (String t : tasks) {
                row.add(f(m.eval()
                        .metrics()
                        .get(t)
                        .get(GeneralistTask.get(t).mainMetric().key())));
            }
            for (int b : m.interference().layers()) {
                row.add(meanWithError(m.interference(), b));
            }
            row.add(f(m.zeroShot().metrics().get("novel_top1")));
            rows.add(row);
        }
        List<String> chance = new ArrayList<>(List.of("chance", "", ""));
        for (String t : tasks) {
            chance.add(f(first.eval()
                    .chance()
                    .get(t)
                    .get(GeneralistTask.get(t).mainMetric().key())));
        }
        for (int b : first.interference().layers()) {
            chance.add("");
        }
        chance.add(f(first.zeroShot().chance()));
        rows.add(chance);
        return rows;
    }

    /** Every (model, task) whose main metric is not clearly above chance. */
    public static List<String> belowChance(List<GeneralistDemo.Model> models) {
        List<String> out = new ArrayList<>();
        for (GeneralistDemo.Model m : models) {
            m.eval().metrics().forEach((task, v) -> {
                String k = GeneralistTask.get(task).mainMetric().key();
                double c = m.eval().chance().get(task).get(k);
                if (!(v.get(k) >= c + CLEAR)) {
                    out.add(m.name() + "/" + task + " " + k + " " + f(v.get(k)) + " (chance " + f(c) + ")");
                }
            });
        }
        return out;
    }

    public static List<List<String>> adaptation(List<GeneralistDemo.Adaptation> list) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of(
                "model",
                "setting",
                "novel top1",
                "novel top1 (all classes)",
                "seen top1",
                "image_cls top1 (val)",
                "trainable params",
                "train items",
                "s"));
        for (GeneralistDemo.Adaptation a : list) {
            var z = a.zeroShot().metrics();
            rows.add(List.of(
                    a.model(),
                    a.setting(),
                    f(z.get("novel_top1")),
                    f(z.get("novel_top1_all")),
                    f(z.get("seen_top1")),
                    f(a.imageCls().get("top1")),
                    a.tuning() == null ? "0" : Long.toString(a.tuning().trainable()),
                    a.tuning() == null ? "0" : Integer.toString(a.tuning().trainItems()),
                    a.tuning() == null
                            ? ""
                            : String.format(Locale.ROOT, "%.0f", a.tuning().seconds())));
        }
        return rows;
    }

    /** The verdicts the issue asks for, in plain words. */
    public static List<String> verdicts(
            List<GeneralistDemo.Model> models, List<GeneralistDemo.Adaptation> adaptations) {
        GeneralistDemo.Model dense = models.stream()
                .filter(m -> m.name().equals("dense"))
                .findFirst()
                .orElseThrow();
        GeneralistDemo.Model attr = models.stream()
                .filter(m -> m.name().equals("attribute"))
                .findFirst()
                .orElseThrow();
        List<String> out = new ArrayList<>();
        for (int b : dense.interference().layers()) {
            double d = InterferenceMath.meanOffDiagonal(
                    dense.interference().matrices().get(b));
            double a = InterferenceMath.meanOffDiagonal(
                    attr.interference().matrices().get(b));
            double dse = dense.interference().standardErrors().get(b);
            double ase = attr.interference().standardErrors().get(b);
            out.add(String.format(
                    Locale.ROOT,
                    "Block %d: mean cross-task interference ratio dense %s ± %s, attribute-routed MoE %s ± %s"
                            + " (± one standard error over the gradient samples): %s (a lower ratio means one"
                            + " task's step moves the others' losses less)",
                    b,
                    f(d),
                    f(dse),
                    f(a),
                    f(ase),
                    verdict(d, dse, a, ase)));
        }
        double dz = dense.zeroShot().metrics().get("novel_top1");
        double az = attr.zeroShot().metrics().get("novel_top1");
        out.add(String.format(
                Locale.ROOT,
                "Zero-shot on the held-out classes: dense %s, attribute-routed MoE %s (chance %s): MoE %s",
                f(dz),
                f(az),
                f(dense.zeroShot().chance()),
                az > dz + GeneralistReport.CLEAR
                        ? "helped"
                        : az < dz - GeneralistReport.CLEAR ? "hurt" : "made no clear difference"));
        List<String> below = belowChance(models);
        out.add(
                below.isEmpty()
                        ? "Every model is clearly above chance (by ≥ " + CLEAR + ") on every task's main metric."
                        : "Not clearly above chance: " + String.join("; ", below));
        return out;
    }

    static Path write(
            GeneralistDemo.Settings s,
            List<GeneralistDemo.Model> models,
            List<GeneralistDemo.Adaptation> adaptations,
            Map<String, ExpertActivation.Result> activations,
            Map<String, Double> stages,
            double seconds)
            throws IOException {
        Path dir = s.out().resolve("report");
        StringBuilder md = new StringBuilder();
        md.append("# Uni-Perceiver-MoE's evidence on the synthetic multimodal corpus\n\n");
        md.append(String.format(
                Locale.ROOT,
                "Config `%s`; corpus `%s` (%d images, %d clips, seed %d). %s Image classes held out of training"
                        + " (zero-shot): %s."
                        + " Evaluation on up to %d val items per task; interference from %d gradient samples of 4"
                        + " train items per task of `mlp.fc2` (the FFN's second linear). Total time %.0f s.\n\n",
                s.config(),
                s.out().resolve("corpus"),
                s.images(),
                s.videos(),
                s.seed(),
                budgets(s.fullSteps(), s.reducedSteps()),
                GeneralistDemo.NOVEL,
                s.evalLimit(),
                s.samples(),
                seconds));
        md.append("## Verdicts\n\n");
        for (String v : verdicts(models, adaptations)) {
            md.append("* ").append(v).append('\n');
        }
        md.append("\n## Routing levels compared\n\n");
        md.append(
                "Main metric per task on the val split, the mean off-diagonal interference ratio per block (± one standard error over the gradient"
                        + " samples), and zero-shot top-1 on the held-out classes (among their names).\n\n");
        md.append(table(comparison(models)));
        md.append("\n![main metrics](main-metrics.png)\n\n");
        Map<String, List<Double>> series = new LinkedHashMap<>();
        List<String> tasks = new ArrayList<>(models.get(0).eval().metrics().keySet());
        for (GeneralistDemo.Model m : models) {
            List<Double> ys = new ArrayList<>();
            for (String t : tasks) {
                ys.add(m.eval()
                        .metrics()
                        .get(t)
                        .get(GeneralistTask.get(t).mainMetric().key()));
            }
            series.put(m.name(), ys);
        }
        List<Double> chance = new ArrayList<>();
        for (String t : tasks) {
            chance.add(models.get(0)
                    .eval()
                    .chance()
                    .get(t)
                    .get(GeneralistTask.get(t).mainMetric().key()));
        }
        series.put("chance", chance);
        Plots.bars("Main metric per task (val)", "value", tasks, series, dir.resolve("main-metrics.png"));
        md.append("## Task interference\n\n");
        md.append("I[i][j] = mean_m S_{j→i}[m] / S_{i→i}[m] (the reference notebook's ratio): rows the affected task i,"
                + " columns the source task j; the diagonal is 1, below 1 a step on j helps i less than i's own step,"
                + " below 0 it hurts i.\n\n");
        for (GeneralistDemo.Model m : models) {
            if (!m.name().equals("dense") && !m.name().equals("attribute")) {
                continue;
            }
            for (int b : m.interference().layers()) {
                md.append("**")
                        .append(m.name())
                        .append(", block ")
                        .append(b)
                        .append("** (`")
                        .append(m.interference().parameters().get(b))
                        .append("`)\n\n");
                md.append(table(EvidenceTables.interference(m.interference(), b)));
                md.append(String.format(
                        Locale.ROOT,
                        "\nMean off-diagonal %s (one standard error over the %d gradient samples).\n",
                        meanWithError(m.interference(), b),
                        m.interference().samples()));
                String png = "interference-" + m.name() + "-block" + b + ".png";
                Plots.heatmap(
                        "Interference, " + m.name() + ", block " + b,
                        "source task j",
                        "affected task i",
                        m.interference().tasks(),
                        m.interference().tasks(),
                        m.interference().matrices().get(b),
                        null,
                        null,
                        "0.00",
                        dir.resolve(png));
                md.append("\n![").append(png).append("](").append(png).append(")\n\n");
            }
        }
        md.append("## Zero-shot, prompt tuning and fine-tuning\n\n");
        md.append("Zero-shot: the trained model as it is. Prompt tuning: 4 prompt tokens for image_cls, encoder frozen"
                + " but its norms and temperatures; fine-tuning: every parameter; both on 1 % of the image_cls train"
                + " items (all classes, the held-out ones included), " + s.tuneSteps() + " steps.\n\n");
        md.append(table(adaptation(adaptations)));
        md.append('\n');
        md.append("## Expert-activation maps\n\n");
        md.append("Each expert's share of the tokens (%) per MoE block and condition, attention and FFN MoEs, over two"
                + " val batches of every task (inputs and targets).\n\n");
        for (var e : activations.entrySet()) {
            for (String group : e.getValue().shares().keySet()) {
                String png = "activation-" + e.getKey().replace(' ', '-') + "-" + group + ".png";
                EvidenceTables.Matrix mx = EvidenceTables.activationMatrix(e.getValue(), group);
                Plots.heatmap(
                        "Expert share (%), " + group + " MoE, " + e.getKey(),
                        "expert",
                        "block · condition",
                        mx.cols(),
                        mx.rows(),
                        mx.values(),
                        0.0,
                        100.0,
                        "0",
                        dir.resolve(png));
                md.append("**").append(e.getKey()).append(", ").append(group).append("**\n\n");
                md.append(table(EvidenceTables.activation(e.getValue(), group)));
                md.append("\n![").append(png).append("](").append(png).append(")\n\n");
            }
        }
        md.append("## Time\n\n");
        stages.forEach((k, v) -> md.append(String.format(Locale.ROOT, "* %s: %.0f s%n", k, v)));
        md.append(String.format(Locale.ROOT, "* total: %.0f s%n", seconds));
        Path report = dir.resolve("report.md");
        byte[] bytes = md.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(report, out -> out.write(bytes));
        return report;
    }

    static String table(List<List<String>> rows) {
        return TextTable.markdown(rows.get(0), rows.subList(1, rows.size()));
    }

    /**
     * A ratio beyond ±1 means a task's own gradient samples barely agree with each other (the ratio divides
     * by that agreement), so the estimate is noise: no verdict then, rather than a comparison of noise.
     */
    static String verdict(double dense, double denseError, double moe, double moeError) {
        if (!Double.isFinite(dense) || !Double.isFinite(moe) || Math.abs(dense) > 1 || Math.abs(moe) > 1) {
            return "no verdict (a ratio outside [-1, 1]: the tasks' own gradient samples barely agree, so the"
                    + " estimate is noise; use more or larger samples)";
        }
        // a difference of magnitudes counts only beyond twice the two estimates' combined standard error
        double noise = 2 * Math.hypot(denseError, moeError);
        double gap = Math.abs(dense) - Math.abs(moe);
        if (Double.isFinite(noise) && gap > noise) {
            return "MoE reduced it";
        }
        if (Double.isFinite(noise) && -gap > noise) {
            return "MoE did not reduce it";
        }
        return String.format(
                Locale.ROOT,
                "cannot tell (the magnitudes differ by %.3f, within twice the combined standard error, %.3f;"
                        + " use more gradient samples)",
                Math.abs(gap),
                noise);
    }

    /** The training budgets in one sentence; the same budget for every model reads as one. */
    static String budgets(int fullSteps, int reducedSteps) {
        if (fullSteps == reducedSteps) {
            return String.format(Locale.ROOT, "Every model trains %d steps.", fullSteps);
        }
        return String.format(
                Locale.ROOT,
                "The dense and attribute-routed models train %d steps, the other routing levels %d.",
                fullSteps,
                reducedSteps);
    }

    /** Block b's mean off-diagonal interference ratio with its standard error, "0.767 ± 0.798". */
    static String meanWithError(Interference.Result r, int b) {
        return f(InterferenceMath.meanOffDiagonal(r.matrices().get(b))) + " ± "
                + f(r.standardErrors().get(b));
    }
}
