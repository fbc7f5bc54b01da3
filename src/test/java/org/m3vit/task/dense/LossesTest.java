package org.m3vit.task.dense;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The reference's per-task losses against hand-computed values. */
class LossesTest {

    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    @Test
    void crossEntropyIgnores255() {
        // one image, 3 classes, 3 pixels (1×3); pixel 2 ignored
        float[][] logits = {{1f, 0f, 2f}, {0f, 1f, 0f}, {0f, 0f, 5f}}; // [class][pixel]
        NDArray l = manager.create(new float[] {1f, 0f, 2f, 0f, 1f, 0f, 0f, 0f, 5f}, new Shape(1, 3, 1, 3));
        NDArray labels = manager.create(new long[] {0, 1, 255}, new Shape(1, 1, 3));
        double expected = 0;
        int[] lab = {0, 1};
        for (int px = 0; px < 2; px++) {
            double sum = 0;
            for (int c = 0; c < 3; c++) {
                sum += Math.exp(logits[c][px]);
            }
            expected += -(logits[lab[px]][px] - Math.log(sum));
        }
        assertEquals(expected / 2, Losses.crossEntropy(l, labels).getFloat(), 1e-6);
        NDArray allIgnored = manager.create(new long[] {255, 255, 255}, new Shape(1, 1, 3));
        assertEquals(0f, Losses.crossEntropy(l, allIgnored).getFloat(), 0f);
    }

    private static double bce(double x, double y) {
        double p = 1 / (1 + Math.exp(-x));
        return -(y * Math.log(p) + (1 - y) * Math.log(1 - p));
    }

    @Test
    void balancedBceWithBatchAndFixedWeights() {
        float[] x = {2f, -1f, 0.5f, -3f};
        float[] y = {1f, 0f, 0f, 0f};
        NDArray logits = manager.create(x, new Shape(1, 1, 2, 2));
        NDArray labels = manager.create(y, new Shape(1, 1, 2, 2));
        double pos = bce(2, 1);
        double neg = bce(-1, 0) + bce(0.5, 0) + bce(-3, 0);
        double w = 3.0 / 4; // #neg / #total
        assertEquals(
                (w * pos + (1 - w) * neg) / 4,
                Losses.balancedBce(logits, labels, null).getFloat(),
                1e-6);
        assertEquals(
                (0.95 * pos + 0.05 * neg) / 4,
                Losses.balancedBce(logits, labels, 0.95f).getFloat(),
                1e-6);
    }

    @Test
    void normalsLossNormalisesPredictionAndSkipsInvalid() {
        // 2 pixels: pixel 0 pred (0,0,2) → unit (0,0,1) vs target (0,0,1): 0; pixel 1 target invalid
        NDArray pred = manager.create(new float[] {0f, 1f, 0f, 0f, 2f, 0f}, new Shape(1, 3, 1, 2));
        NDArray target = manager.create(new float[] {0f, 255f, 0f, 255f, 1f, 255f}, new Shape(1, 3, 1, 2));
        assertEquals(0f, Losses.normalsL1(pred, target).getFloat(), 1e-6f);
        // pixel 0 prediction (3,4,0) → (0.6,0.8,0) vs (0,0,1): |0.6|+|0.8|+|1| = 2.4 over 3 valid elements
        NDArray pred2 = manager.create(new float[] {3f, 1f, 4f, 0f, 0f, 0f}, new Shape(1, 3, 1, 2));
        assertEquals(2.4 / 3, Losses.normalsL1(pred2, target).getFloat(), 1e-6);
    }

    @Test
    void depthLossAveragesValidPixels() {
        NDArray pred = manager.create(new float[] {1f, 2f, 3f, 4f}, new Shape(1, 1, 2, 2));
        NDArray target = manager.create(new float[] {1.5f, 0f, 255f, 2f}, new Shape(1, 1, 2, 2));
        assertEquals((0.5 + 2) / 2, Losses.depthL1(pred, target).getFloat(), 1e-6);
    }
}
