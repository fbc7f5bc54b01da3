package org.m3vit.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.m3vit.task.Task;
import org.m3vit.task.TaskVisualizer;

/**
 * Renders examples as a grid: one row per image; columns input, then ground truth and prediction for each
 * task. Predictions go through {@link TaskVisualizer}; ground truth is rendered by the same code after
 * turning it into an equivalent head output (one-hot logits for classes, ±logits for 0/1 maps), so both
 * columns share one colour scheme.
 */
final class ExampleGrid {

    private static final int LABEL = 16;
    /** Cells are at least this wide so the column headers stay readable for small images. */
    private static final int MIN_CELL = 100;
    private static final float CONFIDENT_LOGIT = 20f;

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
                int ch = e.channels().get(t);
                if (e.groundTruth().containsKey(t)) {
                    g.drawImage(TaskVisualizer.render(t, asOutput(t, e.groundTruth().get(t), ch, e.height(), e.width()),
                            ch, e.height(), e.width()), col * cell, y, null);
                }
                if (e.outputs().containsKey(t)) {
                    g.drawImage(TaskVisualizer.render(t, e.outputs().get(t), ch, e.height(), e.width()),
                            (col + 1) * cell, y, null);
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

    /** Ground truth (H, W, C) as a head output (C, H, W) that renders to the same picture. */
    static float[] asOutput(Task task, float[] gt, int channels, int h, int w) {
        int plane = h * w;
        float[] out = new float[channels * plane];
        for (int p = 0; p < plane; p++) {
            switch (task) {
                case SEMSEG, HUMAN_PARTS -> {
                    int c = (int) gt[p];
                    if (c >= 0 && c < channels) { // ignore (255) renders as class 0
                        out[c * plane + p] = CONFIDENT_LOGIT;
                    }
                }
                case SAL, EDGE -> out[p] = gt[p] == 1f ? CONFIDENT_LOGIT : -CONFIDENT_LOGIT;
                case NORMALS -> {
                    for (int k = 0; k < 3; k++) {
                        out[k * plane + p] = gt[3 * p + k];
                    }
                }
                default -> out[p] = gt[p];
            }
        }
        return out;
    }
}
