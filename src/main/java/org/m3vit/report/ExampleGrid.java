package org.m3vit.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.m3vit.task.DenseTaskSpec;
import org.m3vit.task.HeadOutput;
import org.m3vit.task.Task;

/**
 * Renders examples as a grid: one row per image; columns input, then ground truth and prediction for each
 * task. Predictions are drawn by the task's {@link DenseTaskSpec#render}; ground truth by the same code
 * after the task turns it into an equivalent head output ({@link DenseTaskSpec#groundTruthAsOutput}:
 * one-hot logits for classes, ±logits for 0/1 maps), so both columns share one colour scheme.
 */
final class ExampleGrid {

    private static final int LABEL = 16;
    /** Cells are at least this wide so the column headers stay readable for small images. */
    private static final int MIN_CELL = 100;

    private ExampleGrid() {}

    static BufferedImage render(List<ExamplePrediction> examples, List<Task> tasks) {
        int cell = MIN_CELL;
        for (ExamplePrediction e : examples) {
            cell = Math.max(cell, Math.max(e.height(), e.width()));
        }
        int cols = 1 + 2 * tasks.size();
        BufferedImage grid = new BufferedImage(cols * cell, LABEL + examples.size() * cell, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grid.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
        List<String> headers = new ArrayList<>(List.of("input"));
        for (Task t : tasks) {
            headers.add(t.id() + " gt");
            headers.add(t.id() + " pred");
        }
        for (int c = 0; c < headers.size(); c++) {
            g.drawString(headers.get(c), c * cell + 2, LABEL - 4);
        }
        for (int r = 0; r < examples.size(); r++) {
            ExamplePrediction e = examples.get(r);
            int y = LABEL + r * cell;
            g.drawImage(rgb(e), 0, y, null);
            int col = 1;
            for (Task t : tasks) {
                DenseTaskSpec spec = t.spec();
                int ch = e.channels().get(t);
                if (e.groundTruth().containsKey(t)) {
                    HeadOutput gt = spec.groundTruthAsOutput(e.groundTruth().get(t), ch, e.height(), e.width());
                    g.drawImage(spec.render(gt), col * cell, y, null);
                }
                if (e.outputs().containsKey(t)) {
                    g.drawImage(
                            spec.render(new HeadOutput(e.outputs().get(t), ch, e.height(), e.width())),
                            (col + 1) * cell,
                            y,
                            null);
                }
                col += 2;
            }
        }
        g.dispose();
        return grid;
    }

    private static BufferedImage rgb(ExamplePrediction e) {
        BufferedImage img = new BufferedImage(e.width(), e.height(), BufferedImage.TYPE_INT_RGB);
        float[] v = e.image();
        for (int p = 0; p < e.height() * e.width(); p++) {
            int rgb = (clamp(v[3 * p]) << 16) | (clamp(v[3 * p + 1]) << 8) | clamp(v[3 * p + 2]);
            img.setRGB(p % e.width(), p / e.width(), rgb);
        }
        return img;
    }

    private static int clamp(float v) {
        return Math.max(0, Math.min(255, Math.round(v)));
    }
}
