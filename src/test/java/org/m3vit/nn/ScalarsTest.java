package org.m3vit.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.m3vit.moe.GateTestAccess;

/**
 * Scalars saved by autograd must survive a garbage collection between forward and backward. With
 * DJL's {@code mul(Number)} the same loop gives a wrong gradient in about 90 of 100 iterations (the
 * scalar's Java buffer is collected and its memory reused); with {@link Scalars} never.
 */
class ScalarsTest {

    private NDManager manager;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    /** Forward, then a GC and allocations that reuse freed buffers, then backward; returns dy/dx. */
    private float[] gradientAfterGc(float[] values, Function<NDArray, NDArray> f) {
        NDArray x = manager.create(values);
        x.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray y = f.apply(x);
            System.gc();
            for (int j = 0; j < 20; j++) {
                manager.create(new float[] {1e30f, 1e30f, 1e30f, 1e30f});
            }
            gc.backward(y);
        }
        return x.getGradient().toFloatArray();
    }

    @Test
    void engineOwnedScalarSurvivesGarbageCollection() {
        for (int i = 0; i < 50; i++) {
            float[] g = gradientAfterGc(
                    new float[] {1f, 2f, 3f, 4f}, x -> x.mul(Scalars.of(x, 3)).sum());
            assertArrayEquals(new float[] {3f, 3f, 3f, 3f}, g, 0f, "iteration " + i);
        }
    }

    @Test
    void gateBalancingLossGradientUnderGarbageCollection() {
        // cv²(x) = var(x) / (mean(x)² + 1e-10), unbiased variance; by hand for x = (1, 2, 3, 4):
        // d var / d x_i = 2 (x_i − m) / (n − 1), d (m²) / d x_i = 2m / n
        double[] x = {1, 2, 3, 4};
        double m = 2.5;
        double var = 5.0 / 3.0;
        double den = m * m + 1e-10;
        float[] expected = new float[4];
        for (int i = 0; i < 4; i++) {
            double dVar = 2 * (x[i] - m) / 3;
            double dDen = 2 * m / 4;
            expected[i] = (float) ((dVar * den - var * dDen) / (den * den));
        }
        for (int i = 0; i < 50; i++) {
            float[] g = gradientAfterGc(new float[] {1f, 2f, 3f, 4f}, GateTestAccess::cvSquared);
            assertArrayEquals(expected, g, 1e-6f, "iteration " + i);
        }
    }
}
