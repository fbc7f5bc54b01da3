package org.m3vit.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.m3vit.train.EpochRecord;

/** The report's XChart plots, written as PNG (headless; the launcher sets java.awt.headless). */
final class Charts {

    private static final int WIDTH = 800;
    private static final int HEIGHT = 500;

    private Charts() {}

    /** Training loss per task (and the MoE balancing loss) over epochs for one run. */
    static void lossCurves(RunData run, Path png) throws IOException {
        XYChart chart = new XYChartBuilder()
                .width(WIDTH)
                .height(HEIGHT)
                .title("Training loss: " + run.name())
                .xAxisTitle("epoch")
                .yAxisTitle("loss")
                .build();
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        for (EpochRecord e : run.epochs()) {
            if (e.trainLoss() != null) {
                e.trainLoss().forEach((t, v) -> series.computeIfAbsent(t, k -> new ArrayList<>())
                        .add(new double[] {e.epoch(), v}));
                series.computeIfAbsent("total", k -> new ArrayList<>())
                        .add(new double[] {e.epoch(), e.totalTrainLoss()});
            }
            if (e.auxLoss() != null) {
                series.computeIfAbsent("aux (MoE balance)", k -> new ArrayList<>())
                        .add(new double[] {e.epoch(), e.auxLoss()});
            }
        }
        addXY(chart, series);
        save(chart, png);
    }

    /** One task's main validation metric over epochs, one line per run. */
    static void validationCurves(String task, String metric, List<RunData> runs, Path png) throws IOException {
        XYChart chart = new XYChartBuilder()
                .width(WIDTH)
                .height(HEIGHT)
                .title("Validation " + task + " " + metric)
                .xAxisTitle("epoch")
                .yAxisTitle(metric)
                .build();
        Map<String, List<double[]>> series = new LinkedHashMap<>();
        for (RunData r : runs) {
            for (EpochRecord e : r.epochs()) {
                Double v = e.val() == null || e.val().get(task) == null
                        ? null
                        : e.val().get(task).get(metric);
                if (v != null && Double.isFinite(v)) {
                    series.computeIfAbsent(r.name(), k -> new ArrayList<>()).add(new double[] {e.epoch(), v});
                }
            }
        }
        addXY(chart, series);
        save(chart, png);
    }

    /** Final metrics of one task as bars: one group per metric, one bar per run. */
    static void metricBars(String task, List<String> metrics, List<RunData> runs, Path png) throws IOException {
        CategoryChart chart = new CategoryChartBuilder()
                .width(WIDTH)
                .height(HEIGHT)
                .title("Final " + task + " metrics")
                .xAxisTitle("metric")
                .yAxisTitle("value")
                .build();
        for (RunData r : runs) {
            List<Double> ys = new ArrayList<>();
            Map<String, Double> m = r.finalMetrics().get(task);
            for (String metric : metrics) {
                Double v = m == null ? null : m.get(metric);
                ys.add(v == null || !Double.isFinite(v) ? 0.0 : v);
            }
            chart.addSeries(r.name(), new ArrayList<>(metrics), ys);
        }
        save(chart, png);
    }

    /** Share of tokens (%) each expert received in each MoE layer, for one run and task. */
    static void expertHeatmap(String run, String task, Map<String, long[]> layers, Path png) throws IOException {
        int experts = 0;
        for (long[] c : layers.values()) {
            experts = Math.max(experts, c.length);
        }
        List<Integer> x = new ArrayList<>();
        for (int e = 0; e < experts; e++) {
            x.add(e);
        }
        List<String> y = new ArrayList<>(layers.keySet());
        List<Number[]> cells = new ArrayList<>();
        int row = 0;
        for (long[] c : layers.values()) {
            long total = 0;
            for (long v : c) {
                total += v;
            }
            for (int e = 0; e < c.length; e++) {
                cells.add(new Number[] {e, row, total == 0 ? 0.0 : 100.0 * c[e] / total});
            }
            row++;
        }
        HeatMapChart chart = new HeatMapChartBuilder()
                .width(WIDTH)
                .height(Math.max(300, 60 * y.size() + 150))
                .title("Expert usage (% of tokens): " + run + " / " + task)
                .xAxisTitle("expert")
                .yAxisTitle("MoE block")
                .build();
        chart.getStyler().setShowValue(experts <= 16);
        chart.getStyler().setHeatMapValueDecimalPattern("0.0");
        chart.getStyler().setMin(0);
        chart.getStyler().setMax(100);
        chart.addSeries("usage", x, y, cells);
        save(chart, png);
    }

    private static void addXY(XYChart chart, Map<String, List<double[]>> series) {
        if (series.isEmpty()) {
            chart.addSeries("(no data)", new double[] {0}, new double[] {0}).setMarker(SeriesMarkers.NONE);
            return;
        }
        series.forEach((name, pts) -> {
            double[] xs = new double[pts.size()];
            double[] ys = new double[pts.size()];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = pts.get(i)[0];
                ys[i] = pts.get(i)[1];
            }
            chart.addSeries(name, xs, ys);
        });
    }

    private static void save(Chart<?, ?> chart, Path png) throws IOException {
        Files.createDirectories(png.toAbsolutePath().getParent());
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
