package org.m3vit.moe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.m3vit.nn.StateDict;

/** Each routing level decides on what it should see, and only on that. */
class RoutingConditionTest {

    private NDManager manager;
    private ParameterStore ps;

    @BeforeEach
    void setUp() {
        Engine.getInstance().setRandomSeed(21);
        manager = NDManager.newBaseManager();
        ps = MoeTestSupport.store(manager);
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private MoeLayer build(MoeLayer.Builder b) {
        MoeLayer layer = b.build();
        layer.initialize(manager, DataType.FLOAT32);
        return layer;
    }

    /** Expert choices (T, k) of one call, as the gate's decision expanded to tokens. */
    private long[][] choices(MoeLayer layer, NDArray x, RoutingContext ctx) {
        MoeOutput out = layer.forward(ps, x, ctx, false);
        // Recompute the per-token decision through the public pieces to read the indices.
        RouterInput in = layer.condition().features(ps, x, ctx, false);
        Gate gate =
                layer.gates().get(layer.isMultiGate() ? ctx.taskId(layer.gates().size(), "test") : 0);
        NDArray idx = in.perToken(gate.route(ps, in.rows(), false).indices());
        long[] flat = idx.toLongArray();
        int k = (int) idx.getShape().get(1);
        long[][] rows = new long[flat.length / k][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = Arrays.copyOfRange(flat, i * k, i * k + k);
        }
        assertEquals(x.getShape().get(0), out.output().getShape().get(0));
        return rows;
    }

    @Test
    void multiGateTasksUseTheirOwnRouters() {
        MoeLayer layer =
                build(MoeLayer.builder().dim(16).hidden(8).experts(8).topK(2).multiGate(2));
        NDArray x = manager.randomNormal(new Shape(1, 40, 16));
        long[][] a = choices(layer, x, RoutingContext.forTask(0));
        long[][] b = choices(layer, x, RoutingContext.forTask(1));
        assertFalse(Arrays.deepEquals(a, b), "different task routers should choose differently");
        NDArray ya = layer.forward(ps, x, RoutingContext.forTask(0), false).output();
        NDArray yb = layer.forward(ps, x, RoutingContext.forTask(1), false).output();
        assertTrue(MoeTestSupport.maxAbsDiff(ya, yb) > 1e-4);
    }

    @Test
    void taskConditionedRouterSeesTheTaskEmbedding() {
        TaskEmbedding emb = new TaskEmbedding(3, 6);
        emb.initialize(manager, DataType.FLOAT32, new Shape(3));
        MoeLayer layer = build(MoeLayer.builder()
                .dim(16)
                .hidden(8)
                .experts(8)
                .topK(2)
                .condition("task_conditioned")
                .taskDim(6));
        // Make the task part of the router dominant so the task visibly changes choices.
        MoeTestSupport.set(layer, "gate.w_gate", manager.randomNormal(0f, 3f, new Shape(22, 8), DataType.FLOAT32));
        NDArray x = manager.randomNormal(new Shape(1, 30, 16));
        long[][][] per = new long[3][][];
        for (int t = 0; t < 3; t++) {
            NDArray f = emb.forward(ps, manager, t, false);
            assertEquals(new Shape(6), f.getShape());
            // LayerNorm output: zero mean, unit variance (eps 1e-6)
            assertEquals(0f, f.mean().getFloat(), 1e-5f);
            per[t] = choices(
                    layer, x, RoutingContext.builder().task(t).taskFeature(f).build());
        }
        assertFalse(Arrays.deepEquals(per[0], per[1]) && Arrays.deepEquals(per[1], per[2]));
        assertEquals(
                Set.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "norm.weight", "norm.bias"),
                StateDict.parameters(emb).keySet());
    }

    @Test
    void contextLevelSharesOneDecisionPerSequence() {
        MoeLayer layer =
                build(MoeLayer.builder().dim(8).hidden(8).experts(6).topK(2).condition("context"));
        NDArray x = manager.randomNormal(new Shape(3, 5, 8));
        long[][] c = choices(layer, x, RoutingContext.none());
        for (int s = 0; s < 3; s++) {
            for (int i = 1; i < 5; i++) {
                assertArrayEquals(c[s * 5], c[s * 5 + i], "sequence " + s);
            }
        }
        // the decision is that of the sequence mean
        NDArray mean = x.mean(new int[] {1});
        long[] direct = layer.gates().get(0).route(ps, mean, false).indices().toLongArray();
        for (int s = 0; s < 3; s++) {
            assertArrayEquals(Arrays.copyOfRange(direct, 2 * s, 2 * s + 2), c[s * 5]);
        }
    }

    @Test
    void modalityLevelRoutesByModalityOnly() {
        MoeLayer layer = build(MoeLayer.builder()
                .dim(8)
                .hidden(8)
                .experts(6)
                .topK(2)
                .condition("modality")
                .modalities(2));
        NDArray x = manager.randomNormal(new Shape(2, 6, 8));
        NDArray modality = manager.create(new long[] {0, 0, 0, 1, 1, 1});
        long[][] c =
                choices(layer, x, RoutingContext.builder().modality(modality).build());
        for (int s = 0; s < 2; s++) {
            for (int i = 0; i < 6; i++) {
                assertArrayEquals(c[i < 3 ? 0 : 3], c[s * 6 + i]);
            }
        }
    }

    @Test
    void taskLevelGivesEveryTokenTheTasksExperts() {
        MoeLayer layer = build(MoeLayer.builder()
                .dim(8)
                .hidden(8)
                .experts(8)
                .topK(2)
                .condition("task")
                .tasks(4));
        NDArray x = manager.randomNormal(new Shape(2, 5, 8));
        for (int t = 0; t < 4; t++) {
            long[][] c = choices(layer, x, RoutingContext.forTask(t));
            for (long[] row : c) {
                assertArrayEquals(c[0], row);
            }
            // the task's one-hot row selects row t of w_gate as logits
            float[] w = StateDict.parameters(layer)
                    .get("gate.w_gate")
                    .getArray()
                    .get(t)
                    .toFloatArray();
            double[] p = MoeTestSupport.softmax(new double[] {w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]});
            int[] top = MoeTestSupport.topK(p, 2);
            assertArrayEquals(new long[] {top[0], top[1]}, c[0]);
        }
    }

    @Test
    void attributeLevelRoutesSegmentsByTheirAttributeVector() {
        MoeLayer layer = build(MoeLayer.builder()
                .dim(8)
                .linearExperts(8)
                .experts(8)
                .topK(2)
                .gate("topk_softmax")
                .condition("attribute"));
        NDArray x = manager.randomNormal(new Shape(2, 7, 8));
        // image+text captioning: segment 0 = <spe> + 3 image tokens, segment 1 = 3 text tokens
        NDArray rows = manager.create(new float[][] {{1, 1, 0, 1, 1, 0, 0, 0}, {1, 1, 0, 1, 0, 1, 0, 1}});
        NDArray rowOfToken = manager.create(new long[] {0, 0, 0, 0, 1, 1, 1});
        RoutingContext ctx =
                RoutingContext.builder().attributes(rows, rowOfToken).build();
        long[][] c = choices(layer, x, ctx);
        for (int i = 0; i < 14; i++) {
            assertArrayEquals(c[(i % 7) < 4 ? 0 : 4], c[i]);
        }
        // the same attributes route the same way whatever the tokens are
        long[][] other = choices(layer, manager.randomNormal(new Shape(2, 7, 8)), ctx);
        assertTrue(Arrays.deepEquals(c, other));
    }

    @Test
    void mergedLinearExpertsEqualTheMixture() {
        MoeLayer layer = build(MoeLayer.builder()
                .dim(8)
                .linearExperts(5)
                .experts(8)
                .topK(2)
                .gate("topk_softmax")
                .condition("attribute"));
        NDArray x = manager.randomNormal(new Shape(1, 6, 8));
        NDArray attr = manager.create(new float[] {1, 0, 0, 1, 1, 0, 0, 0});
        RoutingContext ctx = RoutingContext.builder().attributes(attr, null).build();
        NDArray y = layer.forward(ps, x, ctx, false).output();
        AttributeCondition cond = (AttributeCondition) layer.condition();
        GateDecision d = layer.gates().get(0).route(ps, cond.embed(ps, attr.expandDims(0), false), false);
        NDArray[] merged = ((LinearExperts) layer.experts())
                .merge(ps, d.indices().get(0), d.scores().get(0), false);
        NDArray direct = x.matMul(merged[0].transpose()).add(merged[1]);
        assertTrue(MoeTestSupport.maxAbsDiff(y, direct) < 1e-5);
    }
}
