package org.m3vit.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Losses, optimizers, schedules and clipping against hand-computed values. */
class TrainingPiecesTest {

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
        assertEquals((w * pos + (1 - w) * neg) / 4, Losses.balancedBce(logits, labels, null).getFloat(), 1e-6);
        assertEquals((0.95 * pos + 0.05 * neg) / 4, Losses.balancedBce(logits, labels, 0.95f).getFloat(), 1e-6);
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

    private Map<String, Parameter> params(String name, float[] w, float[] g) {
        Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).optArray(manager.create(w))
                .build();
        p.getArray().setRequiresGradient(true);
        setGradient(p.getArray(), g);
        Map<String, Parameter> m = new LinkedHashMap<>();
        m.put(name, p);
        return m;
    }

    /** Produces gradient g on w through a real backward pass of Σ w·g (accumulating into w's grad). */
    private void setGradient(NDArray w, float[] g) {
        try (ai.djl.training.GradientCollector gc = ai.djl.engine.Engine.getInstance().newGradientCollector()) {
            gc.backward(w.mul(manager.create(g)).sum());
        }
    }

    @Test
    void sgdMomentumMatchesTorchSemantics() {
        Map<String, Parameter> p = params("blocks.0.attn.qkv.weight", new float[] {1f, -2f}, new float[] {0.5f, 1f});
        ParameterOptimizer sgd = new ParameterOptimizer.Sgd(p, 0.9f, 0.1f, ParameterOptimizer::decaysByDefault);
        sgd.step(0.1f);
        // d = g + 0.1 w = (0.6, 0.8); b = d; w = w - 0.1 b = (0.94, -2.08)
        assertArrayEquals(new float[] {0.94f, -2.08f}, p.values().iterator().next().getArray().toFloatArray(), 1e-6f);
        NDArray w = p.values().iterator().next().getArray();
        assertArrayEquals(new float[] {0f, 0f}, w.getGradient().toFloatArray(), 0f, "gradient zeroed after step");
        setGradient(w, new float[] {0.5f, 1f});
        sgd.step(0.1f);
        // d = (0.5 + 0.094, 1 − 0.208) = (0.594, 0.792); b = 0.9·(0.6, 0.8) + d = (1.134, 1.512)
        assertArrayEquals(new float[] {0.94f - 0.1134f, -2.08f - 0.1512f}, w.toFloatArray(), 1e-6f);
    }

    @Test
    void adamWMatchesTorchSemanticsAndSkipsDecayOnBiases() {
        float lr = 0.01f;
        for (String name : List.of("decoders.semseg.conv_0.weight", "decoders.semseg.conv_0.bias")) {
            Map<String, Parameter> p = params(name, new float[] {1f}, new float[] {0.5f});
            ParameterOptimizer adam = new ParameterOptimizer.AdamW(p, 0.9f, 0.999f, 1e-8f, 0.05f,
                    ParameterOptimizer::decaysByDefault);
            adam.step(lr);
            boolean decays = name.endsWith("weight");
            double w = 1.0;
            if (decays) {
                w *= 1 - lr * 0.05;
            }
            double m = 0.1 * 0.5;
            double v = 0.001 * 0.25;
            double mhat = m / (1 - 0.9);
            double vhat = v / (1 - 0.999);
            w -= lr * mhat / (Math.sqrt(vhat) + 1e-8);
            assertEquals(w, p.get(name).getArray().toFloatArray()[0], 1e-6, name);
        }
        assertTrue(ParameterOptimizer.decaysByDefault("backbone.blocks.1.mlp.experts.htoh4.weight"));
        assertTrue(ParameterOptimizer.decaysByDefault("backbone.blocks.1.mlp.gate.0.w_gate"));
        assertFalse(ParameterOptimizer.decaysByDefault("backbone.pos_embed"));
        assertFalse(ParameterOptimizer.decaysByDefault("backbone.cls_token"));
        assertFalse(ParameterOptimizer.decaysByDefault("backbone.blocks.0.norm1.weight"));
        assertFalse(ParameterOptimizer.decaysByDefault("decoders.sal.syncbn_fc_0.weight"));
    }

    @Test
    void optimizerStateSurvivesTheStepScope() {
        Map<String, Parameter> p = params("blocks.0.mlp.fc1.weight", new float[] {1f, 2f}, new float[] {0.1f, 0.2f});
        ParameterOptimizer adam = new ParameterOptimizer.AdamW(p, 0.9f, 0.999f, 1e-8f, 0f,
                ParameterOptimizer::decaysByDefault);
        try (ai.djl.ndarray.NDScope scope = new ai.djl.ndarray.NDScope()) {
            adam.step(0.01f); // moment buffers are created inside a step scope, as in training
        }
        for (NDArray buffer : adam.state().values()) {
            assertFalse(buffer.isReleased(), "optimizer state was released with the step scope");
        }
        // m = 0.1·g after one step: still readable and correct
        assertArrayEquals(new float[] {0.01f, 0.02f},
                adam.state().get("blocks.0.mlp.fc1.weight.exp_avg").toFloatArray(), 1e-7f);
    }

    @Test
    void schedules() {
        Schedule poly = Schedule.poly(0.01f, 10, 4, 0.9);
        assertEquals(0.01f, poly.lr(0), 0f);
        assertEquals(0.01f, poly.lr(3), 0f, "constant within an epoch");
        assertEquals(0.01 * Math.pow(0.5, 0.9), poly.lr(20), 1e-9);
        Schedule cos = Schedule.cosine(1f, 0f, 110, 10);
        assertEquals(0.1f, cos.lr(0), 1e-6f);
        assertEquals(1f, cos.lr(9), 1e-6f);
        assertEquals(1f, cos.lr(10), 1e-6f);
        assertEquals(0.5f, cos.lr(60), 1e-6f);
        assertEquals(0f, cos.lr(110), 1e-6f);
    }

    @Test
    void globalNormClipping() {
        Map<String, Parameter> a = params("a", new float[] {0f, 0f}, new float[] {3f, 0f});
        Map<String, Parameter> b = params("b", new float[] {0f}, new float[] {4f});
        a.putAll(b);
        double norm = GradientClipping.clip(a.values(), 1.0);
        assertEquals(5.0, norm, 1e-6);
        assertArrayEquals(new float[] {0.6f, 0f}, a.get("a").getArray().getGradient().toFloatArray(), 1e-5f);
        assertArrayEquals(new float[] {0.8f}, a.get("b").getArray().getGradient().toFloatArray(), 1e-5f);
    }
}
