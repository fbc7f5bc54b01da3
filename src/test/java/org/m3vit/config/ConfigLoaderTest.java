package org.m3vit.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.Task;

/** YAML in the reference layout, the m3vit keys, CLI overrides, and errors naming the key. */
class ConfigLoaderTest {

    /** The reference layout, including its quirks: {@code qkv_bias: True,} is a string, gate_dim = D + T. */
    static final String REFERENCE_STYLE = String.join(
            "\n",
            "setup: multi_task",
            "train_db_name: PASCALContext",
            "val_db_name: PASCALContext",
            "trBatch: 8",
            "epochs: 100",
            "optimizer: sgd",
            "optimizer_kwargs:",
            "   lr: 0.002",
            "   momentum: 0.9",
            "scheduler: poly",
            "model: baseline",
            "model_kwargs:",
            "   tam: True",
            "   tam_level0: True",
            "backbone: VisionTransformer_moe",
            "backbone_kwargs:",
            "   dilated: False",
            "   model_name: 'vit_small_patch16_224'",
            "   img_size: [512,512]",
            "   patch_size: 16",
            "   embed_dim: 384",
            "   depth: 12",
            "   num_heads: 12",
            "   num_classes: 40",
            "   drop_rate: 0.",
            "   mlp_ratio: 4.",
            "   qkv_bias: True,",
            "   random_init: True",
            "   distilled: False",
            "   moe_mlp_ratio: 2",
            "   moe_top_k: 2",
            "   gate_dim: 389",
            "   gate_return_decoupled_activation: False",
            "head: VisionTransformerUpHead",
            "head_kwargs:",
            "   in_channels: 1024",
            "   embed_dim: 384",
            "   img_size: [512,512]",
            "   num_conv: 4",
            "   upsampling_method: 'bilinear'",
            "   num_upsampe_layer: 4",
            "   in_index: 11",
            "task_dictionary:",
            "   include_semseg: True",
            "   include_human_parts: True",
            "   include_sal: True",
            "   include_edge: True",
            "   include_normals: True",
            "   edge_w: 0.95",
            "loss_kwargs:",
            "   loss_scheme: baseline",
            "   loss_weights:",
            "       semseg: 1.0",
            "eval_final_10_epochs_only: True",
            "");

    @Test
    void referenceLayoutLoadsWithDefaultsForTheCliOnlyKeys() {
        ModelConfig c = ConfigLoader.parse(REFERENCE_STYLE, Map.of());
        assertEquals(384, c.embedDim());
        assertEquals(12, c.numHeads());
        assertEquals(List.of(1, 3, 5, 7, 9, 11), c.moeLayers());
        assertEquals(2, c.moeTopK());
        assertEquals(768, c.moeHidden());
        assertEquals(16, c.moeExperts());
        assertTrue(c.multiGate());
        assertEquals("token", c.routing());
        assertEquals(256, c.headChannels());
        assertEquals(
                List.of(Task.SEMSEG, Task.HUMAN_PARTS, Task.SAL, Task.NORMALS, Task.EDGE),
                c.tasks().tasks());
        assertEquals(4, c.tasks().idOf(Task.EDGE), "ids follow the reference order, not the YAML order");
        assertEquals(DatasetLayout.PASCAL, c.tasks().dataset());
        assertEquals(21, c.tasks().channels(Task.SEMSEG));
    }

    @Test
    void cliOverridesWinOverYaml() {
        ModelConfig c = ConfigLoader.parse(
                REFERENCE_STYLE,
                Map.of(
                        "backbone_kwargs.moe_top_k",
                        4,
                        "backbone_kwargs.moe_mlp_ratio",
                        1.0,
                        "backbone_kwargs.multi_gate",
                        false,
                        "backbone_kwargs.gate_task_specific_dim",
                        64,
                        "head_kwargs.channels",
                        128));
        assertEquals(4, c.moeTopK());
        assertEquals(384, c.moeHidden());
        assertEquals("task_conditioned", c.routing());
        assertEquals(64, c.gateTaskSpecificDim());
        assertEquals(128, c.headChannels());
    }

    @Test
    void errorsNameTheKey() {
        error(REFERENCE_STYLE.replace("   dilated: False", "   dilatedd: False"), "backbone_kwargs.dilatedd");
        error(REFERENCE_STYLE + "learning_rate: 3\n", "learning_rate");
        error(
                REFERENCE_STYLE.replace("patch_size: 16\n   embed", "patch_size: 16\n   moe_experts: many\n   embed"),
                "backbone_kwargs.moe_experts",
                "integer");
        error(REFERENCE_STYLE.replace("qkv_bias: True,", "qkv_bias: maybe"), "backbone_kwargs.qkv_bias");
        error(
                REFERENCE_STYLE.replace("img_size: [512,512]\n   patch", "img_size: [500,512]\n   patch"),
                "backbone_kwargs.img_size",
                "divisible");
        error(REFERENCE_STYLE.replace("moe_top_k: 2", "moe_top_k: 17"), "backbone_kwargs.moe_top_k", "moe_experts");
        error(REFERENCE_STYLE.replace("gate_dim: 389", "gate_dim: 386"), "backbone_kwargs.gate_dim");
        error(REFERENCE_STYLE.replace("num_heads: 12", "num_heads: 7"), "backbone_kwargs.num_heads");
        error(REFERENCE_STYLE.replace("train_db_name: PASCALContext", "train_db_name: COCO"), "train_db_name");
        error(REFERENCE_STYLE.replace("distilled: False", "distilled: True"), "backbone_kwargs.distilled");
        error(
                REFERENCE_STYLE.replace("upsampling_method: 'bilinear'", "upsampling_method: 'nearest'"),
                "head_kwargs.upsampling_method");
        error(
                REFERENCE_STYLE.replace("model_name: 'vit_small_patch16_224'", "model_name: 'vit_huge'"),
                "backbone_kwargs.model_name");
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ConfigLoader.parse(REFERENCE_STYLE, Map.of("backbone_kwargs.gate_task_specific_dim", 64)));
        assertTrue(e.getMessage().contains("multi_gate") && e.getMessage().contains("gate_task_specific_dim"));
        error(REFERENCE_STYLE.replaceAll("(include_[a-z_]+): True", "$1: False"), "task_dictionary");
    }

    @Test
    void denseBackboneAndPlacement() {
        ModelConfig dense = ConfigLoader.parse(
                REFERENCE_STYLE.replace("backbone: VisionTransformer_moe", "backbone: VisionTransformer"), Map.of());
        assertFalse(dense.isMoe());
        ModelConfig even = ConfigLoader.parse(REFERENCE_STYLE, Map.of("backbone_kwargs.moe_layers", "even"));
        assertEquals(List.of(0, 2, 4, 6, 8, 10), even.moeLayers());
        ModelConfig listed = ConfigLoader.parse(REFERENCE_STYLE, Map.of("backbone_kwargs.moe_layers", List.of(11, 5)));
        assertEquals(List.of(5, 11), listed.moeLayers());
        assertEquals(5, listed.firstMoeBlock());
    }

    @Test
    void everyShippedConfigLoads() throws IOException {
        try (Stream<Path> s = Files.walk(Path.of("configs"))) {
            // configs/hardware holds accelerator profiles (accel.HardwareProfile) and configs/generalist the
            // generalist's experiments (generalist.GeneralistConfig), not M³ViT model configs
            List<Path> files = s.filter(p -> p.toString().endsWith(".yml")
                            && !p.startsWith("configs/hardware")
                            && !p.startsWith("configs/generalist"))
                    .toList();
            assertTrue(files.size() >= 9, "shipped configs: " + files);
            for (Path p : files) {
                ModelConfig c = ConfigLoader.load(p);
                assertTrue(c.tasks().size() >= 1, p.toString());
            }
        }
        ModelConfig onehot =
                ConfigLoader.load(Path.of("configs/pascal/vit_moe/pup_moe_vit_small_multi_task_baseline_onehot.yml"));
        assertEquals("task_conditioned", onehot.routing());
        ModelConfig nyud = ConfigLoader.load(Path.of("configs/nyud/vit_moe/pup_moe_vit_small_multi_task_baseline.yml"));
        assertEquals(40, nyud.tasks().channels(Task.SEMSEG));
        assertEquals(30 * 40, nyud.numPatches());
    }

    private static void error(String yaml, String... fragments) {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ConfigLoader.parse(yaml, Map.of()));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message lacks '" + f + "': " + e.getMessage());
        }
    }
}
