package org.m3vit.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.m3vit.io.AtomicFiles;

/**
 * Generic XChart plots for results that are not training runs (the generalist's interference matrices,
 * expert-activation maps, metric comparisons), written atomically as PNG. {@link Charts} draws the run
 * reports; this draws any labelled matrix or bar groups.
 */
public final class Plots {

    private Plots() {}

    /**
     * A heat map of {@code values[row][col]} with its numbers printed in the cells.
     *
     * @param min the colour scale's low end, or null for the data's
     * @param max the colour scale's high end, or null for the data's
     * @param pattern the cells' number format, e.g. "0.00"
     */
    public static void heatmap(
            String title,
            String xTitle,
            String yTitle,
            List<String> cols,
            List<String> rows,
            double[][] values,
            Double min,
            Double max,
            String pattern,
            Path png)
            throws IOException {
        List<Number[]> cells = new ArrayList<>();
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int r = 0; r < rows.size(); r++) {
            for (int c = 0; c < cols.size(); c++) {
                double v = values[r][c];
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
                cells.add(new Number[] {c, r, Double.isFinite(v) ? v : 0.0});
            }
        }
        HeatMapChart chart = new HeatMapChartBuilder()
                .width(Math.max(600, 90 * cols.size() + 300))
                .height(Math.max(300, 36 * rows.size() + 180))
                .title(title)
                .xAxisTitle(xTitle)
                .yAxisTitle(yTitle)
                .build();
        chart.getStyler().setShowValue(cols.size() <= 16);
        chart.getStyler().setHeatMapValueDecimalPattern(pattern);
        chart.getStyler().setMin(min != null ? min : Double.isFinite(lo) ? lo : 0);
        chart.getStyler().setMax(max != null ? max : Double.isFinite(hi) && hi > lo ? hi : lo + 1);
        chart.addSeries("values", new ArrayList<>(cols), new ArrayList<>(rows), cells);
        save(chart, png);
    }

    /** Grouped bars: one group per category, one bar per series (non-finite values drawn as 0). */
    public static void bars(
            String title, String yTitle, List<String> categories, Map<String, List<Double>> series, Path png)
            throws IOException {
        CategoryChart chart = new CategoryChartBuilder()
                .width(Math.max(800, 60 * categories.size() * Math.max(1, series.size()) / 2))
                .height(500)
                .title(title)
                .yAxisTitle(yTitle)
                .build();
        series.forEach((name, ys) -> chart.addSeries(
                name,
                new ArrayList<>(categories),
                ys.stream().map(v -> v == null || !Double.isFinite(v) ? 0.0 : v).toList()));
        save(chart, png);
    }

    private static void save(Chart<?, ?> chart, Path png) throws IOException {
        byte[] bytes = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
        AtomicFiles.write(png, out -> out.write(bytes));
    }
}
