package org.m3vit.moe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.m3vit.nn.StateDict;

/**
 * Reordered dispatch against the dense reference path: same outputs, and the same gradients with
 * respect to the input, the expert weights and the gate weights, within 1e-5. This class runs the
 * experts one by one; {@link BatchedDispatchEquivalenceTest} runs every case through the padded batched
 * layout instead.
 */
class DispatchEquivalenceTest {

    static final String ONE_BY_ONE = "reordered-one-by-one";
    static final String BATCHED = "reordered-batched";

    static {
        synchronized (Dispatchers.class) {
            if (!Dispatchers.ids().contains(ONE_BY_ONE)) {
                Dispatchers.register(ONE_BY_ONE, c -> new ReorderedDispatcher(c, 0));
                Dispatchers.register(BATCHED, c -> new ReorderedDispatcher(c, Long.MAX_VALUE));
            }
        }
    }

    /** The reordered dispatcher under test. */
    String reordered() {
        return ONE_BY_ONE;
    }

    private static final double TOL = 1e-5;

    private NDManager manager;
    private ParameterStore ps;

    @BeforeEach
    void setUp() {
        Engine.getInstance().setRandomSeed(11);
        manager = NDManager.newBaseManager();
        ps = MoeTestSupport.store(manager);
    }

    @AfterEach
    void tearDown() {
        manager.close();
    }

    private MoeLayer[] pair(UnaryOperator<MoeLayer.Builder> config) {
        MoeLayer reordered =
                config.apply(MoeLayer.builder().dispatch(reordered())).build();
        MoeLayer dense = config.apply(MoeLayer.builder().dispatch("dense")).build();
        reordered.initialize(manager, DataType.FLOAT32);
        dense.initialize(manager, DataType.FLOAT32);
        MoeTestSupport.copyParameters(reordered, dense);
        return new MoeLayer[] {reordered, dense};
    }

    /** Forward + backward through both layers and compare outputs and every gradient. */
    private void assertEquivalent(MoeLayer[] layers, NDArray x, RoutingContext ctx) {
        NDArray probe = manager.randomNormal(new Shape(
                x.getShape().get(0), x.getShape().get(1), layers[0].experts().outputDim()));
        NDArray[] outputs = new NDArray[2];
        NDArray[] inputGrads = new NDArray[2];
        for (int i = 0; i < 2; i++) {
            MoeLayer layer = layers[i];
            NDArray xi = x.duplicate();
            xi.setRequiresGradient(true);
            final int idx = i;
            MoeTestSupport.backward(layer, () -> {
                MoeOutput out = layer.forward(ps, xi, ctx, true);
                outputs[idx] = out.output().stopGradient().duplicate();
                return out.output().mul(probe).sum().add(out.auxLoss());
            });
            inputGrads[i] = xi.getGradient().duplicate();
        }
        assertTrue(MoeTestSupport.maxAbsDiff(outputs[0], outputs[1]) <= TOL, "outputs differ");
        assertTrue(MoeTestSupport.maxAbsDiff(inputGrads[0], inputGrads[1]) <= TOL, "input gradients differ");
        var named = StateDict.parameters(layers[0]);
        assertTrue(!named.isEmpty());
        for (String name : named.keySet()) {
            NDArray g0 = MoeTestSupport.grad(layers[0], name);
            NDArray g1 = MoeTestSupport.grad(layers[1], name);
            double diff = MoeTestSupport.maxAbsDiff(g0, g1);
            assertTrue(diff <= TOL, "gradient of " + name + " differs by " + diff);
            boolean otherTasksGate = layers[0].isMultiGate()
                    && name.startsWith("gate.")
                    && !name.startsWith("gate." + ctx.taskId(layers[0].gates().size(), "test") + ".");
            // only the running task's router may receive gradient; every other parameter must
            assertEquals(otherTasksGate, g0.abs().sum().getFloat() == 0f, "gradient of " + name);
        }
    }

    @ParameterizedTest(name = "E={0} k={1} gate={2}")
    @CsvSource({"8,2,noisy_vmoe", "8,1,noisy_vmoe", "8,8,noisy_vmoe", "6,3,topk_softmax", "5,2,noisy_topk"})
    void reorderedMatchesDense(int experts, int k, String gate) {
        MoeLayer[] layers = pair(
                b -> b.dim(16).hidden(24).experts(experts).topK(k).gate(gate).noiseStd(0f));
        if (gate.equals("noisy_topk")) {
            // learned-noise gate draws noise in training; compare in a noise-free way by zeroing w_noise
            for (MoeLayer l : layers) {
                MoeTestSupport.set(l, "gate.w_noise", manager.zeros(new Shape(16, experts)));
            }
        }
        NDArray x = manager.randomNormal(new Shape(2, 13, 16));
        if (gate.equals("noisy_topk")) {
            assertNoisyTopkEquivalent(layers, x);
        } else {
            assertEquivalent(layers, x, RoutingContext.none());
        }
    }

    /** noisy_topk still draws N(0,1)·0.01 noise with zero w_noise; fix the seed before each layer. */
    private void assertNoisyTopkEquivalent(MoeLayer[] layers, NDArray x) {
        NDArray[] outs = new NDArray[2];
        for (int i = 0; i < 2; i++) {
            Engine.getInstance().setRandomSeed(5);
            outs[i] = layers[i].forward(ps, x, RoutingContext.none(), true).output();
        }
        assertTrue(MoeTestSupport.maxAbsDiff(outs[0], outs[1]) <= TOL);
        // eval (no noise): full gradient equivalence
        NDArray[] grads = new NDArray[2];
        for (int i = 0; i < 2; i++) {
            MoeLayer l = layers[i];
            MoeTestSupport.backward(l, () -> l.forward(ps, x, RoutingContext.none(), false)
                    .output()
                    .square()
                    .sum());
            grads[i] = MoeTestSupport.grad(l, "experts.htoh4.weight").duplicate();
        }
        assertTrue(MoeTestSupport.maxAbsDiff(grads[0], grads[1]) <= TOL);
    }

    @Test
    void emptyExpertsAreSkippedAndStillMatch() {
        MoeLayer[] layers = pair(b -> b.dim(8).hidden(8).experts(6).topK(2).noiseStd(0f));
        // Columns 1, 3 and 5 of w_gate strongly negative: those experts never win for positive inputs.
        float[][] w = new float[8][6];
        for (int d = 0; d < 8; d++) {
            for (int e = 0; e < 6; e++) {
                w[d][e] = e % 2 == 1 ? -5f : 0.1f * (e + 1) * (d % 3 - 1);
            }
        }
        for (MoeLayer l : layers) {
            MoeTestSupport.set(l, "gate.w_gate", manager.create(w));
        }
        NDArray x = manager.randomUniform(0.1f, 1f, new Shape(1, 20, 8));
        MoeOutput out = layers[0].forward(ps, x, RoutingContext.none(), false);
        long[] counts = out.expertCounts().toLongArray();
        assertEquals(0, counts[1] + counts[3] + counts[5], "odd experts must be empty");
        assertEquals(40, counts[0] + counts[2] + counts[4]);
        assertEquivalentNoAux(layers, x);
        // unchosen experts get exactly zero gradient
        assertEquals(
                0f,
                MoeTestSupport.grad(layers[0], "experts.htoh4.weight")
                        .get(1)
                        .abs()
                        .sum()
                        .getFloat(),
                0f);
    }

    /** Like {@link #assertEquivalent} but tolerating zero gradients for experts nobody chose. */
    private void assertEquivalentNoAux(MoeLayer[] layers, NDArray x) {
        NDArray[] outs = new NDArray[2];
        for (int i = 0; i < 2; i++) {
            MoeLayer l = layers[i];
            final int idx = i;
            MoeTestSupport.backward(l, () -> {
                NDArray y = l.forward(ps, x, RoutingContext.none(), true).output();
                outs[idx] = y.stopGradient().duplicate();
                return y.square().sum();
            });
        }
        assertTrue(MoeTestSupport.maxAbsDiff(outs[0], outs[1]) <= TOL);
        for (String name : List.of("experts.htoh4.weight", "experts.h4toh.bias", "gate.w_gate")) {
            assertTrue(
                    MoeTestSupport.maxAbsDiff(
                                    MoeTestSupport.grad(layers[0], name), MoeTestSupport.grad(layers[1], name))
                            <= TOL,
                    name);
        }
    }

    @ParameterizedTest(name = "capacity factor {0}, batch-prioritised {1}")
    @CsvSource({"0.5,false", "0.5,true", "1.0,true"})
    void capacityDropsTheSameAssignmentsInBothPaths(double factor, boolean bpr) {
        MoeLayer[] layers = pair(b -> b.dim(8)
                .hidden(12)
                .experts(4)
                .topK(2)
                .noiseStd(0f)
                .capacityFactor(factor)
                .batchPrioritized(bpr));
        NDArray x = manager.randomNormal(new Shape(1, 30, 8));
        assertEquivalentNoAux(layers, x);
        // with capacity 0.5 some assignments must actually be dropped: output differs from unlimited
        if (factor < 1) {
            MoeLayer unlimited = MoeLayer.builder()
                    .dim(8)
                    .hidden(12)
                    .experts(4)
                    .topK(2)
                    .noiseStd(0f)
                    .build();
            unlimited.initialize(manager, DataType.FLOAT32);
            MoeTestSupport.copyParameters(layers[0], unlimited);
            NDArray a = unlimited.forward(ps, x, RoutingContext.none(), false).output();
            NDArray b = layers[0].forward(ps, x, RoutingContext.none(), false).output();
            assertTrue(MoeTestSupport.maxAbsDiff(a, b) > 1e-3, "capacity 0.5 should drop assignments");
        }
    }

    @Test
    void linearExpertsMatch() {
        MoeLayer[] layers =
                pair(b -> b.dim(12).linearExperts(7).experts(5).topK(2).noiseStd(0f));
        assertEquivalent(layers, manager.randomNormal(new Shape(3, 9, 12)), RoutingContext.none());
    }

    @Test
    void multiGateMatchesPerTask() {
        MoeLayer[] layers =
                pair(b -> b.dim(16).hidden(16).experts(8).topK(2).noiseStd(0f).multiGate(3));
        NDArray x = manager.randomNormal(new Shape(2, 10, 16));
        for (int t = 0; t < 3; t++) {
            assertEquivalent(layers, x, RoutingContext.forTask(t));
        }
    }
}
