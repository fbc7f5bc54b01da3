package org.m3vit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.m3vit.moe.Dispatchers;
import org.m3vit.moe.ExpertKind;
import org.m3vit.moe.GateType;
import org.m3vit.moe.MoeSpec;
import org.m3vit.moe.RoutingContext;
import org.m3vit.nn.StateDict;

/**
 * Blocks assembled from injected sublayers: conditional-MoE attention (linear experts on qkv and proj)
 * and an FFN of two linear-expert layers compose in the one block class, and the sublayers of a group
 * share one routing decision.
 */
class SublayerCompositionTest {

    private static final int D = 8;
    private static final int HEADS = 2;
    private static final int HIDDEN = 16;

    private static MoeSpec attributeSpec(int experts, int k) {
        return new MoeSpec(
                experts,
                k,
                GateType.TOPK_SOFTMAX,
                0f,
                "attribute",
                false,
                -1,
                Dispatchers.REORDERED,
                0,
                false,
                ExpertKind.LINEAR);
    }

    private static VitBlock expertBlock(MoeSpec spec) {
        return new VitBlock(
                D,
                HEADS,
                Sublayers.expertProjections(spec, 1, "attn"),
                Sublayers.projectedMlp(HIDDEN, Sublayers.expertProjections(spec, 1, "mlp")));
    }

    private static RoutingContext attributes(NDManager m) {
        return RoutingContext.builder()
                .attributes(m.create(new float[] {1, 0, 0, 1, 1, 0, 0, 0}, new Shape(1, 8)), null)
                .build();
    }

    /** One expert, top-1, renormalised softmax: every score is exactly 1, so the block is the dense block. */
    @Test
    void singleExpertBlockEqualsTheDenseBlockWithTheSameWeights() {
        try (NDManager m = NDManager.newBaseManager()) {
            VitBlock moe = expertBlock(attributeSpec(1, 1));
            VitBlock dense = VitBlock.dense(D, HEADS, HIDDEN);
            moe.initialize(m, DataType.FLOAT32, new Shape(1, 1, D));
            dense.initialize(m, DataType.FLOAT32, new Shape(1, 1, D));
            Map<String, Parameter> from = StateDict.parameters(moe);
            for (Map.Entry<String, Parameter> e : StateDict.parameters(dense).entrySet()) {
                String name = e.getKey();
                String expert = name.replaceFirst("(weight|bias)$", "experts.$1");
                Parameter src = from.containsKey(expert) ? from.get(expert) : from.get(name);
                NDArray v = src.getArray().reshape(e.getValue().getArray().getShape());
                e.getValue().getArray().set(v.toFloatArray());
            }
            NDArray x = m.randomNormal(new Shape(2, 5, D));
            ParameterStore ps = new ParameterStore(m, false);
            NDArray want = dense.forward(ps, x, new BlockCall(RoutingContext.none()), false);
            NDArray got = moe.forward(ps, x, new BlockCall(attributes(m)), false);
            float[] a = want.toFloatArray();
            float[] b = got.toFloatArray();
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i], b[i], 1e-5, "element " + i);
            }
        }
    }

    @Test
    void sublayersOfAGroupShareOneRouterAndOneDecision() {
        try (NDManager m = NDManager.newBaseManager()) {
            VitBlock block = expertBlock(attributeSpec(4, 2));
            block.initialize(m, DataType.FLOAT32, new Shape(1, 1, D));
            Map<String, Parameter> names = StateDict.parameters(block);
            assertTrue(names.containsKey("attn.qkv.gate.w_gate"), names.keySet().toString());
            assertTrue(names.containsKey("mlp.fc1.gate.w_gate"), names.keySet().toString());
            assertFalse(
                    names.keySet().stream()
                            .anyMatch(n -> n.startsWith("attn.proj.gate") || n.startsWith("mlp.fc2.gate")),
                    "proj and fc2 apply the decision of qkv and fc1");
            assertArrayEquals(
                    new long[] {4, 3 * D, D},
                    names.get("attn.qkv.experts.weight").getArray().getShape().getShape());

            BlockCall call = new BlockCall(attributes(m));
            block.forward(new ParameterStore(m, false), m.randomNormal(new Shape(2, 5, D)), call, false);
            assertEquals(
                    List.of("attn.qkv", "attn.proj", "mlp.fc1", "mlp.fc2"),
                    List.copyOf(call.routed().keySet()));
            assertTrue(call.routed().get("attn.qkv").decision()
                    == call.routed().get("attn.proj").decision());
            assertTrue(call.routed().get("mlp.fc1").decision()
                    == call.routed().get("mlp.fc2").decision());
            // attribute routing: all 10 tokens share the row's two experts
            long[] counts = call.routed().get("attn.qkv").expertCounts().toLongArray();
            assertEquals(20, Arrays.stream(counts).sum());
            assertEquals(2, Arrays.stream(counts).filter(c -> c == 10).count());
        }
    }
}
