package org.m3vit.moe;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Bad configuration and input fail early with a message naming the parameter and the value. */
class MoeBadInputTest {

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

    private static void fails(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' should mention '" + f + "'");
        }
    }

    private static MoeLayer.Builder valid() {
        return MoeLayer.builder().dim(8).hidden(8).experts(4).topK(2);
    }

    @Test
    void invalidSizes() {
        fails(() -> valid().topK(5).build(), "top_k", "5", "experts=4");
        fails(() -> valid().experts(0).build(), "experts", "0");
        fails(() -> valid().topK(0).build(), "top_k", "0");
        fails(() -> valid().dim(-3).build(), "dim", "-3");
        fails(() -> MoeLayer.builder().dim(8).experts(4).topK(2).build(), "hidden");
        fails(() -> valid().linearExperts(4).build(), "not both");
        fails(() -> valid().noiseStd(-1f).build(), "vmoe_noisy_std", "-1");
        fails(() -> valid().capacityFactor(-0.5).build(), "capacity factor", "-0.5");
        fails(() -> valid().batchPrioritized(true).build(), "capacity factor");
    }

    @Test
    void unknownNames() {
        fails(() -> valid().gate("softmax_please").build(), "softmax_please", "noisy_vmoe");
        fails(() -> valid().dispatch("scatter").build(), "scatter", "reordered", "dense");
        fails(() -> valid().condition("pixel").build(), "pixel", "token", "attribute");
    }

    @Test
    void impossibleRoutingCombinations() {
        fails(
                () -> valid().condition("task_conditioned")
                        .taskDim(4)
                        .multiGate(2)
                        .build(),
                "multi_gate");
        fails(() -> valid().condition("task_conditioned").build(), "gate_task_specific_dim", "-1");
        fails(() -> valid().condition("task").build(), "number of tasks", "0");
        fails(() -> valid().condition("modality").build(), "number of modalities", "0");
    }

    @Test
    void unsupportedDtypes() {
        MoeLayer layer = valid().build();
        // bfloat16 would abort the JVM inside the engine; it must be refused before reaching it
        fails(() -> layer.initialize(manager, DataType.BFLOAT16), "bfloat16");
        fails(() -> layer.initialize(manager, DataType.INT32), "int32");
        layer.initialize(manager, DataType.FLOAT32);
        fails(
                () -> layer.forward(ps, manager.ones(new Shape(1, 3, 8), DataType.INT32), RoutingContext.none(), false),
                "MoE input",
                "int32");
        fails(
                () -> layer.forward(ps, manager.ones(new Shape(1, 3, 8), DataType.UINT8), RoutingContext.none(), false),
                "uint8");
    }

    @Test
    void shapeMismatches() {
        MoeLayer layer = valid().build();
        layer.initialize(manager, DataType.FLOAT32);
        fails(
                () -> layer.forward(ps, manager.ones(new Shape(1, 3, 7)), RoutingContext.none(), false),
                "MoE input",
                "(1, 3, 7)",
                "8");
        fails(() -> layer.forward(ps, manager.ones(new Shape(2, 1, 3, 8)), RoutingContext.none(), false), "MoE input");
    }

    @Test
    void missingOrWrongRoutingContext() {
        MoeLayer multi = valid().multiGate(3).build();
        multi.initialize(manager, DataType.FLOAT32);
        NDArray x = manager.ones(new Shape(1, 3, 8));
        fails(() -> multi.forward(ps, x, RoutingContext.none(), false), "multi-gate", "task id");
        fails(() -> multi.forward(ps, x, RoutingContext.forTask(3), false), "task id 3", "3 tasks");

        MoeLayer cond = valid().condition("task_conditioned").taskDim(4).build();
        cond.initialize(manager, DataType.FLOAT32);
        fails(() -> cond.forward(ps, x, RoutingContext.forTask(0), false), "task feature");
        fails(
                () -> cond.forward(
                        ps,
                        x,
                        RoutingContext.builder()
                                .taskFeature(manager.ones(new Shape(5)))
                                .build(),
                        false),
                "task feature",
                "(4)",
                "(5)");

        MoeLayer attr = valid().condition("attribute").build();
        attr.initialize(manager, DataType.FLOAT32);
        fails(() -> attr.forward(ps, x, RoutingContext.none(), false), "attribute");
        fails(
                () -> attr.forward(
                        ps,
                        x,
                        RoutingContext.builder()
                                .attributes(manager.ones(new Shape(1, 6)), null)
                                .build(),
                        false),
                "attribute rows",
                "(1, 6)");

        MoeLayer modality = valid().condition("modality").modalities(2).build();
        modality.initialize(manager, DataType.FLOAT32);
        fails(
                () -> modality.forward(
                        ps,
                        x,
                        RoutingContext.builder()
                                .modality(manager.create(new long[] {0, 1, 2}))
                                .build(),
                        false),
                "modality ids",
                "[0, 2]");
        fails(
                () -> modality.forward(
                        ps,
                        x,
                        RoutingContext.builder()
                                .modality(manager.create(new long[] {0, 1}))
                                .build(),
                        false),
                "modality ids",
                "(3)");
    }
}
