package org.m3vit.moe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real forward of an MoE layer against cases built and solved by hand (not recomputed through the
 * code under test): gate weights and linear experts set to known values, expected expert counts and
 * outputs written out below, for the context, modality and task routing conditions, with both dispatchers.
 * Expert e is y = (e+1)·x + (e, −e); topk_softmax renormalises the chosen probabilities.
 */
class RoutingHandBuiltTest {

    private static final float NEG = -30f; // e^-30: a probability of ~1e-13, below float resolution here

    private NDManager manager;
    private ParameterStore ps;

    @BeforeEach
    void setUp() {
        Engine.getInstance().setRandomSeed(3);
        manager = NDManager.newBaseManager();
        ps = MoeTestSupport.store(manager);
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private MoeLayer layer(MoeLayer.Builder b, String dispatch, float[][] gate) {
        MoeLayer layer = b.dim(2)
                .linearExperts(2)
                .experts(3)
                .gate("topk_softmax")
                .dispatch(dispatch)
                .build();
        layer.initialize(manager, DataType.FLOAT32);
        float[] w = new float[3 * 2 * 2];
        float[] bias = new float[3 * 2];
        for (int e = 0; e < 3; e++) {
            w[e * 4] = e + 1; // (E, out, in): (e+1)·I
            w[e * 4 + 3] = e + 1;
            bias[e * 2] = e;
            bias[e * 2 + 1] = -e;
        }
        MoeTestSupport.set(layer, "experts.weight", manager.create(w, new Shape(3, 2, 2)));
        MoeTestSupport.set(layer, "experts.bias", manager.create(bias, new Shape(3, 2)));
        MoeTestSupport.set(layer, "gate.w_gate", manager.create(gate));
        return layer;
    }

    private void check(MoeOutput out, float[] expected, long[] counts) {
        assertArrayEquals(expected, out.output().toFloatArray(), 1e-5f);
        assertArrayEquals(
                counts, out.expertCounts().toType(DataType.INT64, false).toLongArray());
    }

    @ParameterizedTest
    @ValueSource(strings = {"reordered", "dense"})
    void taskLevel(String dispatch) {
        // rows are one-hot tasks, so w_gate's row t is task t's logits:
        // task 0: ln 3, 0, NEG → experts 0, 1 with 3/4, 1/4; task 1: NEG, 0, ln 4 → experts 2, 1 with 4/5, 1/5
        float[][] gate = {{(float) Math.log(3), 0, NEG}, {NEG, 0, (float) Math.log(4)}};
        MoeLayer l = layer(MoeLayer.builder().topK(2).condition("task").tasks(2), dispatch, gate);
        NDArray x = manager.create(new float[] {1, 2, 3, -1, 0, 0.5f}, new Shape(1, 3, 2));
        // task 0: y = ¾·(x) + ¼·(2x + (1,−1)) = 1.25x + (0.25, −0.25)
        check(
                l.forward(ps, x, RoutingContext.forTask(0), false),
                new float[] {1.5f, 2.25f, 4f, -1.5f, 0.25f, 0.375f},
                new long[] {3, 3, 0});
        // task 1: y = ⅘·(3x + (2,−2)) + ⅕·(2x + (1,−1)) = 2.8x + (1.8, −1.8)
        check(
                l.forward(ps, x, RoutingContext.forTask(1), false),
                new float[] {4.6f, 3.8f, 10.2f, -4.6f, 1.8f, -0.4f},
                new long[] {0, 3, 3});
    }

    @ParameterizedTest
    @ValueSource(strings = {"reordered", "dense"})
    void contextLevel(String dispatch) {
        // rows are sequence means m (2-d); logits = m · w_gate, w_gate (D=2, E=3)
        float[][] gate = {{2, 0, NEG}, {NEG, 0, 2}};
        MoeLayer l = layer(MoeLayer.builder().topK(2).condition("context"), dispatch, gate);
        // sequence 0: (1,1), (1,−1): mean (1,0) → logits (2, 0, NEG) → experts 0, 1 with a = e²/(e²+1), 1−a
        // sequence 1: (2,1), (−2,1): mean (0,1) → logits (NEG, 0, 2) → experts 2, 1 with a, 1−a
        NDArray x = manager.create(new float[] {1, 1, 1, -1, 2, 1, -2, 1}, new Shape(2, 2, 2));
        double a = Math.exp(2) / (Math.exp(2) + 1);
        float[] want = new float[8];
        float[][] tokens = {{1, 1}, {1, -1}, {2, 1}, {-2, 1}};
        for (int i = 0; i < 4; i++) {
            int first = i < 2 ? 0 : 2; // the sequence's top expert; the second is expert 1 for both
            for (int d = 0; d < 2; d++) {
                double sign = d == 0 ? 1 : -1;
                double y1 = (first + 1) * tokens[i][d] + sign * first;
                double y2 = 2 * tokens[i][d] + sign * 1;
                want[2 * i + d] = (float) (a * y1 + (1 - a) * y2);
            }
        }
        check(l.forward(ps, x, RoutingContext.none(), false), want, new long[] {2, 4, 2});
    }

    @ParameterizedTest
    @ValueSource(strings = {"reordered", "dense"})
    void modalityLevel(String dispatch) {
        // rows are one-hot modalities: modality 0 → expert 2, modality 1 → expert 0 (top-1, score 1)
        float[][] gate = {{NEG, NEG, 0}, {0, NEG, NEG}};
        MoeLayer l = layer(MoeLayer.builder().topK(1).condition("modality").modalities(2), dispatch, gate);
        NDArray x = manager.create(new float[] {1, 2, 3, -1, 0, 0.5f}, new Shape(1, 3, 2));
        NDArray modality = manager.create(new long[] {0, 1, 1});
        // token 0: 3x + (2, −2) = (5, 4); tokens 1, 2: x = (3, −1), (0, 0.5)
        check(
                l.forward(ps, x, RoutingContext.builder().modality(modality).build(), false),
                new float[] {5, 4, 3, -1, 0, 0.5f},
                new long[] {2, 0, 1});
    }
}
