package org.m3vit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.m3vit.config.ConfigLoader;
import org.m3vit.config.ModelConfig;
import org.m3vit.moe.GateType;
import org.m3vit.moe.RoutingConditions;
import org.m3vit.task.Task;

/** Every gate and routing condition the moe package implements can be chosen in YAML and runs in the ViT. */
class RoutingSelectionTest {

    private static final Path CONFIG = Path.of("configs/synth/vit_moe/tiny_pascal.yml");

    @Test
    void everyGateAndRoutingConditionBuildsAndRuns() throws Exception {
        for (GateType g : GateType.values()) {
            for (String r : RoutingConditions.ids()) {
                boolean tc = r.equals("task_conditioned");
                ModelConfig c = ConfigLoader.load(
                        CONFIG,
                        Map.of(
                                "backbone_kwargs.moe_gate_type",
                                g.id(),
                                "backbone_kwargs.moe_routing",
                                r,
                                "backbone_kwargs.multi_gate",
                                !tc,
                                "backbone_kwargs.gate_task_specific_dim",
                                tc ? 4 : -1,
                                "backbone_kwargs.vmoe_noisy_std",
                                1.0));
                Engine.getInstance().setRandomSeed(3);
                try (NDManager m = NDManager.newBaseManager()) {
                    MultiTaskModel model = new MultiTaskModel(c).initialize(m);
                    NDArray x = m.randomNormal(new Shape(2, 3, c.imgHeight(), c.imgWidth()));
                    ParameterStore ps = new ParameterStore(m, false);
                    MultiTaskModel.TaskOutput eval = model.forward(ps, x, Task.NORMALS, false);
                    assertArrayEquals(
                            new long[] {2, 3, 64, 64},
                            eval.prediction().getShape().getShape());
                    long tokens = 2L * (c.numPatches() + 1);
                    for (var e : eval.backbone().expertCounts().entrySet()) {
                        long sum = Arrays.stream(e.getValue().toLongArray()).sum();
                        assertEquals(tokens * c.moeTopK(), sum, g + "/" + r + " block " + e.getKey());
                    }
                    float aux =
                            model.forward(ps, x, Task.SEMSEG, true).auxLoss().getFloat();
                    assertTrue(Float.isFinite(aux), g + "/" + r + " aux " + aux);
                    assertTrue(Float.isFinite(eval.prediction().abs().sum().getFloat()), g + "/" + r);
                }
            }
        }
    }

    /** Sequence-independent conditions give every token of a pathway the same experts. */
    @Test
    void taskModalityAndAttributeRoutingAreConstantOverTokens() throws Exception {
        for (String r : new String[] {"task", "modality", "attribute"}) {
            ModelConfig c = ConfigLoader.load(
                    CONFIG, Map.of("backbone_kwargs.moe_routing", r, "backbone_kwargs.moe_gate_type", "topk_softmax"));
            try (NDManager m = NDManager.newBaseManager()) {
                MultiTaskModel model = new MultiTaskModel(c).initialize(m);
                NDArray x = m.randomNormal(new Shape(2, 3, c.imgHeight(), c.imgWidth()));
                var out = model.forward(new ParameterStore(m, false), x, Task.SAL, false);
                long tokens = 2L * (c.numPatches() + 1);
                for (var e : out.backbone().expertCounts().entrySet()) {
                    long[] counts = e.getValue().toLongArray();
                    long chosen = Arrays.stream(counts).filter(v -> v == tokens).count();
                    assertEquals(c.moeTopK(), chosen, r + " block " + e.getKey() + ": " + Arrays.toString(counts));
                }
            }
        }
    }
}
