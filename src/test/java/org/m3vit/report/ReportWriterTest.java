package org.m3vit.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.cli.Main;
import org.m3vit.task.Task;
import org.m3vit.train.Checkpoint;
import org.m3vit.train.EpochRecord;
import org.m3vit.train.MetricsLogListener;
import org.m3vit.train.RunLayout;
import org.m3vit.train.TrainingLoopListener;

/** Reports from synthetic run directories written here, in the trainer's documented format. */
class ReportWriterTest {

    @TempDir
    Path dir;

    private Path run(String name, double base, boolean withUsage) throws Exception {
        Path r = Files.createDirectories(dir.resolve(name));
        List<String> lines = new ArrayList<>();
        for (int e = 1; e <= 4; e++) {
            EpochRecord rec = new EpochRecord(
                    e,
                    3L * e,
                    0.001f / e,
                    Map.of("semseg", base / e, "depth", base / (2 * e)),
                    0.01,
                    2.0,
                    e % 2 == 0
                            ? Map.of(
                                    "semseg",
                                    Map.of("mIoU", 0.1 * e),
                                    "depth",
                                    Map.of("rmse", 1.0 / e, "log_rmse", 0.5 / e))
                            : null,
                    e % 2 == 0 ? -10.0 / e : null,
                    12.5);
            lines.add(rec.toJson());
        }
        Files.write(r.resolve("metrics.jsonl"), lines);
        if (withUsage) {
            Files.writeString(
                    r.resolve("expert_usage.json"),
                    "{\"semseg\": {\"1\": [10, 30, 0, 60], \"3\": [25, 25, 25, 25]}, \"depth\": {\"1\": [1, 2, 3, 4]}}");
            Files.writeString(r.resolve("run_info.json"), "{\"params\": 1234567, \"gflops\": 3.25}");
        }
        return r;
    }

    @Test
    void readsTheRecordsTheTrainerWrites() throws Exception {
        RunLayout run = new RunLayout(Files.createDirectories(dir.resolve("written")));
        MetricsLogListener metrics = new MetricsLogListener(run);
        Map<String, Double> sal = new LinkedHashMap<>();
        sal.put("maxF", 0.5);
        sal.put("mIoU", null); // non-finite in validation: absent in the file, so absent when read back
        List<EpochRecord> written = List.of(
                new EpochRecord(1, 5L, 0.002f, Map.of("sal", 0.75), 0.0625, 4.5, null, null, 1.5),
                new EpochRecord(
                        2, 10L, 6.942532E-4f, Map.of("sal", 0.5), 0.03125, 3.25, Map.of("sal", sal), -12.5, 2.5));
        for (EpochRecord r : written) {
            metrics.onEpochEnd(new TrainingLoopListener.EpochEnd(r, new Checkpoint.State(), false));
        }
        RunData read = RunData.load(run.dir());
        assertEquals(written.get(0), read.epochs().get(0));
        assertEquals(
                List.of("maxF"),
                List.copyOf(read.epochs().get(1).val().get("sal").keySet()));
        assertEquals(6.942532E-4f, read.epochs().get(1).lr());
        assertEquals(Map.of("sal", Map.of("maxF", 0.5)), read.finalMetrics(), "the last validated epoch's metrics");
        assertEquals(-12.5, read.deltaM());
    }

    @Test
    void reportHasTheTableAndDecodablePlots() throws Exception {
        RunData a = RunData.load(run("moe", 2.0, true));
        RunData b = RunData.load(run("dense", 3.0, false));
        // final metrics: from the last epoch with validation (epoch 4) unless results/metrics.json exists
        assertEquals(0.4, a.finalMetrics().get("semseg").get("mIoU"), 1e-12);
        Files.createDirectories(dir.resolve("dense").resolve("results"));
        Files.writeString(
                dir.resolve("dense").resolve("results").resolve("metrics.json"),
                "{\"semseg\": {\"mIoU\": 0.375}, \"depth\": {\"rmse\": 0.625, \"log_rmse\": 0.2}, \"delta_m\": -7.5}");
        b = RunData.load(dir.resolve("dense"));

        int h = 12;
        int w = 20;
        float[] img = new float[h * w * 3];
        float[] seg = new float[h * w];
        float[] depth = new float[h * w];
        float[] segOut = new float[40 * h * w];
        for (int p = 0; p < h * w; p++) {
            img[3 * p] = p % 255;
            seg[p] = p % 3 == 0 ? Task.IGNORE : p % 40;
            depth[p] = 1 + p % 7;
            segOut[(p % 40) * h * w + p] = 1;
        }
        ExamplePrediction ex = new ExamplePrediction(
                "0001",
                h,
                w,
                img,
                Map.of(Task.SEMSEG, seg, Task.DEPTH, depth),
                Map.of(Task.SEMSEG, segOut, Task.DEPTH, depth),
                Map.of(Task.SEMSEG, 40, Task.DEPTH, 1));

        Path out = dir.resolve("report");
        Path md = ReportWriter.write(List.of(a, b), List.of(ex, ex), out);
        String text = Files.readString(md);
        assertTrue(
                text.contains(
                        "| run | epochs | semseg mIoU | depth rmse | depth log_rmse | Δm (%) | params (M) | GFLOPs |"),
                text);
        assertTrue(text.contains("| moe | 4 | 0.4000 | 0.2500 | 0.1250 | -2.5000 | 1.23 | 3.2500 |"), text);
        assertTrue(text.contains("| dense | 4 | 0.3750 | 0.6250 | 0.2000 | -7.5000 | – | – |"), text);

        List<String> pngs;
        try (Stream<Path> s = Files.list(out)) {
            pngs = s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".png"))
                    .sorted()
                    .toList();
        }
        assertEquals(
                List.of(
                        "examples.png",
                        "experts_moe_depth.png",
                        "experts_moe_semseg.png",
                        "loss_dense.png",
                        "loss_moe.png",
                        "metrics_depth.png",
                        "metrics_semseg.png",
                        "val_depth.png",
                        "val_semseg.png"),
                pngs);
        assertEquals(ReportWriter.reportFile(out), md);
        assertTrue(!ReportWriter.isPlot("notes.png") && !ReportWriter.isPlot("report.md"));
        for (String p : pngs) {
            assertTrue(ReportWriter.isPlot(p), p + " recognised as the report's own (a demo re-run clears it)");
            assertTrue(text.contains("(" + p + ")"), p + " linked from report.md");
            BufferedImage im = ImageIO.read(out.resolve(p).toFile());
            assertNotNull(im, p + " decodes");
            assertTrue(im.getWidth() > 0 && im.getHeight() > 0);
        }
        BufferedImage grid = ImageIO.read(out.resolve("examples.png").toFile());
        int cell = 100; // the minimum cell width, as the 12x20 images are smaller
        assertEquals(5 * cell, grid.getWidth(), "input + (gt, pred) for 2 tasks");
        assertEquals(16 + 2 * cell, grid.getHeight(), "a header line, then one row per example");
        // ground truth and prediction of semseg agree away from ignore pixels (pixel 1 of the last row)
        int y = 16 + cell;
        assertEquals(grid.getRGB(cell + 1, y), grid.getRGB(2 * cell + 1, y));
        assertTrue(grid.getRGB(cell + 1, y) != grid.getRGB(cell + 2, y), "neighbouring classes differ");
    }

    @Test
    void reportCommandWritesReportAndRejectsMissingRuns() throws Exception {
        Path r = run("cli", 1.0, true);
        Path out = dir.resolve("cli-report");
        assertEquals(0, Main.run("report", "--run", r.toString(), "--out", out.toString()));
        assertTrue(Files.isRegularFile(out.resolve("report.md")));
        assertEquals(2, Main.run("report", "--run", dir.resolve("nope").toString(), "--out", out.toString()));
    }
}
