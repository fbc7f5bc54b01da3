package org.m3vit.model;

import org.m3vit.config.ModelConfig;
import org.m3vit.config.VitPreset;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.Task;
import org.m3vit.task.TaskSet;

/** Small configs for fast tests. */
final class TestConfigs {

    private TestConfigs() {}

    static TaskSet pascal5() {
        return TaskSet.of(DatasetLayout.PASCAL, Task.SEMSEG, Task.HUMAN_PARTS, Task.SAL, Task.NORMALS, Task.EDGE);
    }

    /** D=32, depth 4, 2 heads, 32×48 images, E=4, top-2, head channels 8, multi-gate over 5 PASCAL tasks. */
    static ModelConfig.Builder tiny() {
        return ModelConfig.builder()
                .tasks(pascal5())
                .imgSize(32, 48)
                .embedDim(32)
                .depth(4)
                .numHeads(2)
                .moeExperts(4)
                .moeTopK(2)
                .moeMlpRatio(1)
                .headChannels(8);
    }

    /** The M³ViT ViT-S PASCAL 5-task README recipe at 512×512 (E=16, top-4, ratio 1, multi-gate). */
    static ModelConfig small512() {
        return ModelConfig.builder()
                .tasks(pascal5())
                .preset(VitPreset.find("small"))
                .imgSize(512, 512)
                .moeExperts(16)
                .moeTopK(4)
                .moeMlpRatio(1)
                .headChannels(256)
                .build();
    }
}
