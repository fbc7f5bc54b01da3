package org.m3vit.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.task.ConstantFit;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.DenseTaskSpec;
import org.m3vit.task.HeadOutput;
import org.m3vit.task.LossOptions;
import org.m3vit.task.SavedPrediction;
import org.m3vit.task.TaskSpecs;

/**
 * A task registered only by a service-file line in the test resources (task.BrightnessSpec, which this
 * test never names) goes through the generic paths: the registry, decoding, the results layout, the scorer,
 * the trivial constant, the loss and the pictures.
 */
class NewTaskTest {

    private static final DenseTaskSpec BRIGHTNESS = TaskSpecs.get("brightness", DenseTaskSpec.class);

    @Test
    void isRegisteredNextToTheBuiltInTasks() {
        assertTrue(TaskSpecs.all().contains(BRIGHTNESS));
        assertTrue(TaskSpecs.find("semseg").isPresent());
        assertEquals("mae", BRIGHTNESS.mainMetric().key());
    }

    @Test
    void isSavedReadAndScoredLikeEveryTask(@TempDir Path dir) throws Exception {
        // a 1x2 image: the head says 0.5 and 2 (clamped to 1); the ground truth is 0.5 and 1
        SavedPrediction p = BRIGHTNESS.decode(new HeadOutput(new float[] {0.5f, 2f}, 1, 1, 2), 1, 2);
        assertArrayEquals(new float[] {127, 255}, p.values(), 0f); // 127.5 truncated

        PredictionFiles.write(dir, "img0", p);
        assertTrue(Files.isRegularFile(dir.resolve("brightness").resolve("img0.png")));
        SavedPrediction read = PredictionFiles.read(dir, BRIGHTNESS, "img0");
        assertArrayEquals(p.values(), read.values(), 0f);

        TaskScorer scorer = new TaskScorer(BRIGHTNESS, DatasetLayout.PASCAL);
        float[] gt = {0.5f, 1f};
        scorer.add(read, gt);
        assertEquals(1, scorer.images());
        assertEquals((Math.abs(127 / 255.0 - 0.5) + 0) / 2, scorer.metrics().get("mae"), 1e-12);

        ConstantFit fit = BRIGHTNESS.newConstantFit(DatasetLayout.PASCAL);
        fit.add(gt);
        assertArrayEquals(new float[] {191}, fit.constant(), 0f); // floor(255 · 0.75)
    }

    @Test
    void trainsAndDraws() {
        try (NDManager m = NDManager.newBaseManager()) {
            var pred = m.create(new float[] {0.5f, 2f}).reshape(1, 1, 1, 2);
            var target = m.create(new float[] {0.5f, 1f}).reshape(1, 1, 1, 2);
            assertEquals(
                    0.5f, BRIGHTNESS.loss(pred, target, LossOptions.REFERENCE).getFloat(), 1e-6f);
        }
        BufferedImage img = BRIGHTNESS.render(BRIGHTNESS.groundTruthAsOutput(new float[] {0f, 1f}, 1, 1, 2));
        assertEquals(0x000000, img.getRGB(0, 0) & 0xffffff);
        assertEquals(0xFFFFFF, img.getRGB(1, 0) & 0xffffff);
    }
}
