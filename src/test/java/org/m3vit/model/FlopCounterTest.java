package org.m3vit.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.m3vit.config.ModelConfig;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.Task;
import org.m3vit.task.TaskSet;

/** The analytic counts against hand-computed values and the verified reference parameter counts. */
class FlopCounterTest {

    @Test
    void smallPresetParameterCountsMatchTheReference() {
        List<FlopCounter.Row> rows = new FlopCounter(TestConfigs.small512()).report();
        FlopCounter.Row all = rows.get(5);
        assertEquals("all 5 tasks", all.name());
        assertEquals(43_463_040L + 13_298_721L, all.params(), "verified backbone + decoders (m3vit.md §15.4)");
        // One pathway: 4 of the 6 routers' gates belong to other tasks; active = 4 of 16 experts per layer.
        long gatesOthers = 6L * 4 * 384 * 16;
        long headsOthers = 13_298_721L - new FlopCounter(TestConfigs.small512()).headParams(Task.SEMSEG);
        assertEquals(all.params() - gatesOthers - headsOthers, rows.get(0).params());
        assertEquals(rows.get(0).params() - 6L * 12 * 295_680, rows.get(0).activeParams());
    }

    @Test
    void tinyConfigByHand() {
        // D=8, depth 2 (block 1 MoE), 1 head, 16×32 image → N=2, L=3, E=2, k=1, H=8, head channels 4, sal only.
        ModelConfig c = ModelConfig.builder()
                .tasks(TaskSet.of(DatasetLayout.PASCAL, Task.SAL, Task.EDGE))
                .imgSize(16, 32)
                .embedDim(8)
                .depth(2)
                .numHeads(1)
                .moeExperts(2)
                .moeTopK(1)
                .moeMlpRatio(1)
                .headChannels(4)
                .build();
        FlopCounter f = new FlopCounter(c);
        long patch = 2L * 8 * 3 * 256; // 12288
        long attn = 2 * 3 * 8 + 3 * 8 * 24 + 2 * 9 * 8 + 3 * 8 * 8; // LN1 48 + qkv 576 + qk/av 144 + proj 192 = 960
        long dense = 2 * 3 * 8 + 2 * 3 * 8 * 32; // LN2 48 + MLP 1536 = 1584
        long moe = 2 * 3 * 8 + 3 * 8 * 2 + 3 * 2 * 8 * 8 + 3 * 8; // LN2 48 + gate 48 + expert 384 + combine 24 = 504
        long head = 2 * 2 * 8 // LN 32
                + 2 * 4 * 8 * 9
                + 2 * 4 // conv_0 + BN at 1×2: 576 + 8
                + 8 * 4 * 4 * 9
                + 8 * 4 // conv_1 at 2×4: 1152 + 32
                + 32 * 4 * 4 * 9
                + 32 * 4 // conv_2 at 4×8: 4608 + 128
                + 128 * 4 * 4 * 9
                + 128 * 4 // conv_3 at 8×16: 18432 + 512
                + 128 * 1 * 4; // conv_4: 512
        FlopCounter.Row sal = f.pathway(Task.SAL, "");
        assertEquals(patch + attn + dense + attn + moe, sal.backboneMacs());
        assertEquals(head, sal.headMacs());
        assertEquals(2 * (sal.backboneMacs() + sal.headMacs()), sal.flops());
        FlopCounter.Row all = f.allTasks("");
        // shared prefix = patch + block 0 + block 1's attention half; per task: block 1's MoE half
        assertEquals(patch + attn + dense + attn + 2 * moe, all.backboneMacs());
        assertEquals(2 * head, all.headMacs());
        FlopCounter.Row denseAll = new FlopCounter(c.denseBaseline()).allTasks("");
        assertEquals(patch + 2 * (attn + dense), denseAll.backboneMacs());
    }

    @Test
    void theOpWalkSumsToThePathwayRows() {
        // The accelerator model reads the ops; their sums must be the rows, for every routing mode.
        for (ModelConfig c : new ModelConfig[] {
            TestConfigs.small512(),
            TestConfigs.tiny().build(),
            TestConfigs.tiny().multiGate(false).gateTaskSpecificDim(8).build(),
            TestConfigs.tiny().multiGate(false).build()
        }) {
            FlopCounter f = new FlopCounter(c);
            for (Task t : c.tasks().tasks()) {
                long macs = FlopCounter.macs(f.patchEmbedOps()) + FlopCounter.macs(f.taskEmbeddingOps());
                long params = FlopCounter.params(f.patchEmbedOps()) + FlopCounter.params(f.taskEmbeddingOps());
                for (int i = 0; i < c.depth(); i++) {
                    macs += FlopCounter.macs(f.blockOps(i));
                    params += FlopCounter.params(f.blockOps(i));
                    if (c.isMoeBlock(i)) {
                        macs += FlopCounter.macs(f.expertOps(c.moeTopK() * f.tokens()));
                        params += c.moeExperts() * FlopCounter.params(f.expertOps(1));
                    }
                }
                FlopCounter.Row row = f.pathway(t, "");
                assertEquals(row.backboneMacs(), macs, c + " " + t);
                assertEquals(row.headMacs(), FlopCounter.macs(f.headOps(t)));
                assertEquals(row.params(), params + FlopCounter.params(f.headOps(t)), c + " " + t);
            }
        }
    }

    @Test
    void opsCarryTheActivationShapes() {
        FlopCounter f = new FlopCounter(TestConfigs.small512());
        long l = 1025;
        assertEquals(
                List.of("norm1", "qkv", "attention", "proj", "norm2", "gate"),
                f.blockOps(1).stream().map(FlopCounter.Op::name).toList());
        FlopCounter.Op qkv = f.blockOps(0).get(1);
        assertEquals(l * 384, qkv.valuesIn());
        assertEquals(3 * l * 384, qkv.valuesOut());
        FlopCounter.Op fc1 = f.expertOps(10).get(0);
        assertEquals(384L * 384 + 384, fc1.params());
        assertEquals(10L * 384 * 384, fc1.macs());
        List<FlopCounter.Op> head = f.headOps(Task.SEMSEG);
        assertEquals(21L * 512 * 512, head.get(head.size() - 1).valuesOut(), "the full-size prediction");
    }
}
