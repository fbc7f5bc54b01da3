package org.m3vit.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Optimizers, schedules and clipping against hand-computed values (the losses: task.dense.LossesTest). */
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

    private Map<String, Parameter> params(String name, float[] w, float[] g) {
        Parameter p = Parameter.builder()
                .setName(name)
                .setType(Parameter.Type.WEIGHT)
                .optArray(manager.create(w))
                .build();
        p.getArray().setRequiresGradient(true);
        setGradient(p.getArray(), g);
        Map<String, Parameter> m = new LinkedHashMap<>();
        m.put(name, p);
        return m;
    }

    /** Produces gradient g on w through a real backward pass of Σ w·g (accumulating into w's grad). */
    private void setGradient(NDArray w, float[] g) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            gc.backward(w.mul(manager.create(g)).sum());
        }
    }

    @Test
    void sgdMomentumMatchesTorchSemantics() {
        Map<String, Parameter> p = params("blocks.0.attn.qkv.weight", new float[] {1f, -2f}, new float[] {0.5f, 1f});
        ParameterOptimizer sgd = new ParameterOptimizer.Sgd(p, 0.9f, 0.1f, ParameterOptimizer::decaysByDefault);
        sgd.step(0.1f);
        // d = g + 0.1 w = (0.6, 0.8); b = d; w = w - 0.1 b = (0.94, -2.08)
        assertArrayEquals(
                new float[] {0.94f, -2.08f},
                p.values().iterator().next().getArray().toFloatArray(),
                1e-6f);
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
            ParameterOptimizer adam =
                    new ParameterOptimizer.AdamW(p, 0.9f, 0.999f, 1e-8f, 0.05f, ParameterOptimizer::decaysByDefault);
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
        ParameterOptimizer adam =
                new ParameterOptimizer.AdamW(p, 0.9f, 0.999f, 1e-8f, 0f, ParameterOptimizer::decaysByDefault);
        try (NDScope scope = new NDScope()) {
            adam.step(0.01f); // moment buffers are created inside a step scope, as in training
        }
        for (NDArray buffer : adam.state().values()) {
            assertFalse(buffer.isReleased(), "optimizer state was released with the step scope");
        }
        // m = 0.1·g after one step: still readable and correct
        assertArrayEquals(
                new float[] {0.01f, 0.02f},
                adam.state().get("blocks.0.mlp.fc1.weight.exp_avg").toFloatArray(),
                1e-7f);
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
        assertArrayEquals(
                new float[] {0.6f, 0f}, a.get("a").getArray().getGradient().toFloatArray(), 1e-5f);
        assertArrayEquals(
                new float[] {0.8f}, a.get("b").getArray().getGradient().toFloatArray(), 1e-5f);
    }
}
