package org.m3vit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.m3vit.config.ModelConfig;
import org.m3vit.config.VitPreset;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.Task;
import org.m3vit.task.TaskSet;

/** Forward shapes per task and preset, routing per task, prefix sharing and baselines. */
class ModelForwardTest {

    @Test
    void everyTaskHeadHasItsChannelsAtInputResolution() {
        try (NDManager m = NDManager.newBaseManager()) {
            ModelConfig c = TestConfigs.tiny().build();
            MultiTaskModel model = new MultiTaskModel(c).initialize(m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.randomNormal(new Shape(2, 3, 32, 48));
            int[] channels = {21, 7, 1, 3, 1};
            for (int i = 0; i < 5; i++) {
                Task t = c.tasks().get(i);
                MultiTaskModel.TaskOutput out = model.forward(ps, x, t, false);
                assertArrayEquals(
                        new long[] {2, channels[i], 32, 48},
                        out.prediction().getShape().getShape(),
                        t.id());
                assertEquals(4, out.backbone().blocks().size(), "every block's output is returned");
                assertArrayEquals(
                        new long[] {2, 1 + 2 * 3, 32},
                        out.backbone().last().getShape().getShape());
                assertEquals(0f, out.auxLoss().getFloat(), "no balancing loss in eval");
            }
            assertThrows(IllegalArgumentException.class, () -> model.forward(ps, x, Task.DEPTH, false));
            assertThrows(
                    IllegalArgumentException.class,
                    () -> model.forward(ps, m.zeros(new Shape(1, 3, 32, 32)), Task.SEMSEG, false));
        }
    }

    @Test
    void nyudDepthAndSemseg40() {
        try (NDManager m = NDManager.newBaseManager()) {
            ModelConfig c = TestConfigs.tiny()
                    .tasks(TaskSet.of(DatasetLayout.NYUD, Task.SEMSEG, Task.DEPTH))
                    .build();
            MultiTaskModel model = new MultiTaskModel(c).initialize(m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.randomNormal(new Shape(1, 3, 32, 48));
            Map<Task, NDArray> all = model.forwardAll(ps, x, false).predictions();
            assertArrayEquals(
                    new long[] {1, 40, 32, 48}, all.get(Task.SEMSEG).getShape().getShape());
            assertArrayEquals(
                    new long[] {1, 1, 32, 48}, all.get(Task.DEPTH).getShape().getShape());
        }
    }

    @Test
    void presetsRunAtSmallResolution() {
        // Full-width tiny/small/base backbones (12 blocks) on 32×32 images with few experts and 8 head channels.
        for (String preset : new String[] {"tiny", "small", "base"}) {
            try (NDManager m = NDManager.newBaseManager()) {
                VitPreset v = VitPreset.find(preset);
                ModelConfig c = TestConfigs.tiny()
                        .preset(v)
                        .imgSize(32, 32)
                        .moeMlpRatio(0.25)
                        .tasks(TaskSet.of(DatasetLayout.PASCAL, Task.SEMSEG, Task.SAL))
                        .build();
                MultiTaskModel model = new MultiTaskModel(c).initialize(m);
                ParameterStore ps = new ParameterStore(m, false);
                MultiTaskModel.TaskOutput out =
                        model.forward(ps, m.randomNormal(new Shape(1, 3, 32, 32)), Task.SAL, false);
                assertArrayEquals(
                        new long[] {1, 1, 32, 32}, out.prediction().getShape().getShape(), preset);
                assertEquals(12, out.backbone().blocks().size());
                assertArrayEquals(
                        new long[] {1, 5, v.embedDim()},
                        out.backbone().last().getShape().getShape());
            }
        }
    }

    @Test
    void differentRoutersChooseDifferentExpertsPerTask() {
        for (boolean multiGate : new boolean[] {true, false}) {
            try (NDManager m = NDManager.newBaseManager()) {
                Engine.getInstance().setRandomSeed(3);
                ModelConfig c = TestConfigs.tiny()
                        .moeExperts(8)
                        .multiGate(multiGate)
                        .gateTaskSpecificDim(multiGate ? -1 : 8)
                        .build();
                MultiTaskModel model = new MultiTaskModel(c).initialize(m);
                ParameterStore ps = new ParameterStore(m, false);
                NDArray x = m.randomNormal(new Shape(2, 3, 32, 48));
                MultiTaskModel.MultiTaskOutput all = model.forwardAll(ps, x, false);
                long[] semseg =
                        all.backbones().get(Task.SEMSEG).expertCounts().get(1).toLongArray();
                long[] sal = all.backbones().get(Task.SAL).expertCounts().get(1).toLongArray();
                // Block 1 is the first MoE block: its input is the shared prefix, so only the router differs.
                assertEquals(2L * 7 * 2, Arrays.stream(semseg).sum(), "every token picks k experts");
                assertFalse(
                        Arrays.equals(semseg, sal),
                        "mode multiGate=" + multiGate + ": same choices " + Arrays.toString(semseg));
                // The shared prefix gives the same block-0 output to every pathway.
                NDArray b0s = all.backbones().get(Task.SEMSEG).blocks().get(0);
                NDArray b0n = all.backbones().get(Task.NORMALS).blocks().get(0);
                assertTrue(b0s.contentEquals(b0n));
            }
        }
    }

    @Test
    void denseBaselineAndSingleTaskFromTheSameCode() {
        try (NDManager m = NDManager.newBaseManager()) {
            ModelConfig dense = TestConfigs.tiny().build().denseBaseline();
            assertFalse(dense.isMoe());
            MultiTaskModel model = new MultiTaskModel(dense).initialize(m);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray x = m.randomNormal(new Shape(1, 3, 32, 48));
            MultiTaskModel.MultiTaskOutput all = model.forwardAll(ps, x, false);
            assertTrue(
                    all.backbones()
                            .get(Task.SEMSEG)
                            .last()
                            .contentEquals(all.backbones().get(Task.EDGE).last()),
                    "a dense backbone is the same for every task");
            assertTrue(all.backbones().get(Task.SEMSEG).expertCounts().isEmpty());

            ModelConfig single = TestConfigs.tiny()
                    .tasks(TaskSet.of(DatasetLayout.PASCAL, Task.NORMALS))
                    .build();
            MultiTaskModel one = new MultiTaskModel(single).initialize(m);
            NDArray y = one.forward(ps, x, Task.NORMALS, false).prediction();
            assertArrayEquals(new long[] {1, 3, 32, 48}, y.getShape().getShape());
        }
    }
}
