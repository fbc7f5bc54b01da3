package org.m3vit.moe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.m3vit.nn.StateDict;

/**
 * The reordered MoE layer against an independent plain-Java computation of M³ViT's formula, finite
 * differences in float64, parameter naming, and determinism.
 */
class MoeReferenceTest {

    private NDManager manager;
    private ParameterStore ps;

    @BeforeEach
    void setUp() {
        manager = NDManager.newBaseManager();
        ps = MoeTestSupport.store(manager);
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    @Test
    void forwardEqualsHandComputedMixture() {
        int e = 3;
        int k = 2;
        int d = 4;
        int h = 5;
        int t = 6;
        Engine.getInstance().setRandomSeed(3);
        MoeLayer layer = MoeLayer.builder().dim(d).hidden(h).experts(e).topK(k).build();
        layer.initialize(manager, DataType.FLOAT32);
        Map<String, Parameter> p = StateDict.parameters(layer);
        // non-zero biases so they are exercised too
        MoeTestSupport.set(layer, "experts.htoh4.bias", manager.randomNormal(new Shape(e, h)));
        MoeTestSupport.set(layer, "experts.h4toh.bias", manager.randomNormal(new Shape(e, d)));
        float[] wg = p.get("gate.w_gate").getArray().toFloatArray(); // (d, E)
        float[] w1 = p.get("experts.htoh4.weight").getArray().toFloatArray(); // (E, H, D)
        float[] b1 = p.get("experts.htoh4.bias").getArray().toFloatArray();
        float[] w2 = p.get("experts.h4toh.weight").getArray().toFloatArray(); // (E, D, H)
        float[] b2 = p.get("experts.h4toh.bias").getArray().toFloatArray();
        NDArray xArr = manager.randomNormal(new Shape(1, t, d));
        float[] x = xArr.toFloatArray();

        float[] got =
                layer.forward(ps, xArr, RoutingContext.none(), false).output().toFloatArray();
        for (int tok = 0; tok < t; tok++) {
            double[] logits = new double[e];
            for (int j = 0; j < e; j++) {
                for (int i = 0; i < d; i++) {
                    logits[j] += x[tok * d + i] * wg[i * e + j];
                }
            }
            double[] prob = MoeTestSupport.softmax(logits);
            double[] y = new double[d];
            for (int ex : MoeTestSupport.topK(prob, k)) {
                double[] hid = new double[h];
                for (int a = 0; a < h; a++) {
                    double s = b1[ex * h + a];
                    for (int i = 0; i < d; i++) {
                        s += w1[(ex * h + a) * d + i] * x[tok * d + i];
                    }
                    hid[a] = MoeTestSupport.gelu(s);
                }
                for (int o = 0; o < d; o++) {
                    double s = b2[ex * d + o];
                    for (int a = 0; a < h; a++) {
                        s += w2[(ex * d + o) * h + a] * hid[a];
                    }
                    y[o] += prob[ex] * s;
                }
            }
            for (int o = 0; o < d; o++) {
                assertEquals(y[o], got[tok * d + o], 1e-5, "token " + tok + " dim " + o);
            }
        }
    }

    @Test
    void gradientsMatchFiniteDifferencesInFloat64() {
        Engine.getInstance().setRandomSeed(4);
        MoeLayer layer = MoeLayer.builder().dim(5).hidden(6).experts(4).topK(2).build();
        layer.initialize(manager, DataType.FLOAT64);
        NDArray x = manager.randomNormal(new Shape(1, 7, 5)).toType(DataType.FLOAT64, false);
        NDArray probe = manager.randomNormal(new Shape(1, 7, 5)).toType(DataType.FLOAT64, false);
        x.setRequiresGradient(true);
        MoeTestSupport.backward(layer, () -> layer.forward(ps, x, RoutingContext.none(), false)
                .output()
                .mul(probe)
                .sum());
        double eps = 1e-6;
        for (String name : new String[] {"experts.htoh4.weight", "experts.h4toh.weight", "gate.w_gate"}) {
            NDArray w = StateDict.parameters(layer).get(name).getArray();
            double[] analytic = MoeTestSupport.grad(layer, name).toDoubleArray();
            double[] flat = w.toDoubleArray();
            for (int i = 0; i < flat.length; i += Math.max(1, flat.length / 11)) {
                double numeric = centralDifference(layer, w, flat, i, eps, x, probe);
                assertEquals(numeric, analytic[i], 1e-6 + 1e-4 * Math.abs(numeric), name + "[" + i + "]");
            }
        }
        double[] gx = x.getGradient().toDoubleArray();
        double[] xv = x.toDoubleArray();
        for (int i = 0; i < xv.length; i += 3) {
            double numeric = centralDifference(layer, x, xv, i, eps, x, probe);
            assertEquals(numeric, gx[i], 1e-6 + 1e-4 * Math.abs(numeric), "x[" + i + "]");
        }
    }

    private double centralDifference(
            MoeLayer layer, NDArray target, double[] values, int i, double eps, NDArray x, NDArray probe) {
        double[] plus = values.clone();
        plus[i] += eps;
        double[] minus = values.clone();
        minus[i] -= eps;
        manager.create(plus, target.getShape()).copyTo(target);
        double lp = layer.forward(ps, x, RoutingContext.none(), false)
                .output()
                .mul(probe)
                .sum()
                .getDouble();
        manager.create(minus, target.getShape()).copyTo(target);
        double lm = layer.forward(ps, x, RoutingContext.none(), false)
                .output()
                .mul(probe)
                .sum()
                .getDouble();
        manager.create(values, target.getShape()).copyTo(target);
        return (lp - lm) / (2 * eps);
    }

    @Test
    void parametersCarryReferenceNamesAndShapes() {
        MoeLayer layer = MoeLayer.builder()
                .dim(384)
                .hidden(384)
                .experts(16)
                .topK(4)
                .multiGate(5)
                .build();
        layer.initialize(manager, DataType.FLOAT32);
        Map<String, Parameter> p = StateDict.parameters(layer);
        for (int t = 0; t < 5; t++) {
            assertEquals(
                    new Shape(384, 16),
                    p.get("gate." + t + ".w_gate").getArray().getShape());
        }
        assertEquals(
                new Shape(16, 384, 384),
                p.get("experts.htoh4.weight").getArray().getShape());
        assertEquals(new Shape(16, 384), p.get("experts.htoh4.bias").getArray().getShape());
        assertEquals(
                new Shape(16, 384, 384),
                p.get("experts.h4toh.weight").getArray().getShape());
        assertEquals(new Shape(16, 384), p.get("experts.h4toh.bias").getArray().getShape());
        assertEquals(9, p.size(), "5 gates + 4 expert tensors: " + p.keySet());
        // fastmoe init: U(-1/sqrt(H·D), 1/sqrt(H·D)) for the stacked weights; gate U(-1/sqrt(E), 1/sqrt(E))
        double bound = 1 / Math.sqrt(384.0 * 384.0);
        assertEquals(bound, p.get("experts.htoh4.weight").getArray().abs().max().getFloat(), bound * 0.01);
        assertEquals(0.25, p.get("gate.0.w_gate").getArray().abs().max().getFloat(), 0.01);
        assertEquals(0f, p.get("experts.h4toh.bias").getArray().abs().max().getFloat(), 0f);

        MoeLayer shared = MoeLayer.builder()
                .dim(8)
                .hidden(8)
                .experts(4)
                .topK(2)
                .condition("task_conditioned")
                .taskDim(3)
                .build();
        shared.initialize(manager, DataType.FLOAT32);
        assertEquals(
                new Shape(11, 4),
                StateDict.parameters(shared).get("gate.w_gate").getArray().getShape());
    }

    @Test
    void fixedSeedGivesIdenticalWeightsAndNoisyRouting() {
        float[][] runs = new float[2][];
        float[][] weights = new float[2][];
        for (int r = 0; r < 2; r++) {
            Engine.getInstance().setRandomSeed(42);
            MoeLayer layer = MoeLayer.builder()
                    .dim(8)
                    .hidden(8)
                    .experts(4)
                    .topK(2)
                    .noiseStd(4f)
                    .build();
            layer.initialize(manager, DataType.FLOAT32);
            NDArray x = manager.randomNormal(new Shape(1, 12, 8));
            weights[r] = StateDict.parameters(layer)
                    .get("experts.htoh4.weight")
                    .getArray()
                    .toFloatArray();
            runs[r] = layer.forward(ps, x, RoutingContext.none(), true).output().toFloatArray();
        }
        assertArrayEquals(weights[0], weights[1], 0f);
        assertArrayEquals(runs[0], runs[1], 0f);
        Engine.getInstance().setRandomSeed(43);
        MoeLayer other = MoeLayer.builder().dim(8).hidden(8).experts(4).topK(2).build();
        other.initialize(manager, DataType.FLOAT32);
        assertNotEquals(
                weights[0][0],
                StateDict.parameters(other)
                        .get("experts.htoh4.weight")
                        .getArray()
                        .toFloatArray()[0]);
    }
}
