package org.m3vit.accel;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/**
 * The {@code --plot} PNG: one stacked bar chart per schedule (compute and stall per layer, ms per image),
 * two by two on one image, all on the same y scale so the schedules compare at a glance. Drawn with XChart
 * as the report package draws its charts (headless; the launcher sets java.awt.headless).
 */
public final class StallChart {

    private static final int WIDTH = 800;
    private static final int HEIGHT = 500;

    private StallChart() {}

    public static void write(SimulationReport r, Path png) throws IOException {
        double top = 0;
        for (ScheduleResult s : r.schedules().values()) {
            for (LayerCost l : s.layers()) {
                top = Math.max(top, r.hardware().millis(l.cycles()));
            }
        }
        List<BufferedImage> panels = new ArrayList<>();
        for (ScheduleResult s : r.schedules().values()) {
            panels.add(BitmapEncoder.getBufferedImage(chart(r, s, top * 1.05)));
        }
        int columns = 2;
        int rows = (panels.size() + columns - 1) / columns;
        BufferedImage all = new BufferedImage(columns * WIDTH, rows * HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = all.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, all.getWidth(), all.getHeight());
        for (int i = 0; i < panels.size(); i++) {
            g.drawImage(panels.get(i), (i % columns) * WIDTH, (i / columns) * HEIGHT, null);
        }
        g.dispose();
        Path parent = png.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        ImageIO.write(all, "png", png.toFile());
    }

    private static CategoryChart chart(SimulationReport r, ScheduleResult s, double top) {
        CategoryChart chart = new CategoryChartBuilder()
                .width(WIDTH)
                .height(HEIGHT)
                .title(s.schedule() + ": "
                        + String.format(
                                Locale.ROOT,
                                "%.2f ms per image",
                                r.hardware().millis(s.total().cycles())))
                .xAxisTitle("layer")
                .yAxisTitle("ms per image")
                .build();
        chart.getStyler().setStacked(true);
        chart.getStyler().setYAxisMin(0.0);
        chart.getStyler().setYAxisMax(top > 0 ? top : 1.0);
        chart.getStyler().setXAxisLabelRotation(60);
        List<String> names = new ArrayList<>();
        List<Double> compute = new ArrayList<>();
        List<Double> stall = new ArrayList<>();
        for (LayerCost l : s.layers()) {
            names.add(l.name());
            compute.add(r.hardware().millis(l.computeCycles()));
            stall.add(r.hardware().millis(l.stallCycles()));
        }
        chart.addSeries("compute", names, compute);
        chart.addSeries("stall (waiting for off-chip)", names, stall);
        return chart;
    }
}
