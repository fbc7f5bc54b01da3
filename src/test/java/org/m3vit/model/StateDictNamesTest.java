package org.m3vit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.nn.Parameter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.m3vit.config.ModelConfig;
import org.m3vit.config.VitPreset;
import org.m3vit.nn.StateDict;

/**
 * Parameter names and shapes against the reference state dict (m3vit.md §15), checked on declared
 * shapes without initialising (so the full-size presets stay cheap).
 */
class StateDictNamesTest {

    @Test
    void smallPresetMatchesReferenceNamesShapesAndCounts() {
        Map<String, Parameter> p = StateDict.parameters(new MultiTaskModel(TestConfigs.small512()));
        shape(p, "backbone.cls_token", 1, 1, 384);
        shape(p, "backbone.pos_embed", 1, 1025, 384);
        shape(p, "backbone.patch_embed.proj.weight", 384, 3, 16, 16);
        shape(p, "backbone.patch_embed.proj.bias", 384);
        shape(p, "backbone.blocks.0.norm1.weight", 384);
        shape(p, "backbone.blocks.0.attn.qkv.weight", 1152, 384);
        shape(p, "backbone.blocks.0.attn.qkv.bias", 1152);
        shape(p, "backbone.blocks.0.attn.proj.weight", 384, 384);
        shape(p, "backbone.blocks.10.mlp.fc1.weight", 1536, 384);
        shape(p, "backbone.blocks.10.mlp.fc2.weight", 384, 1536);
        shape(p, "backbone.blocks.11.mlp.experts.htoh4.weight", 16, 384, 384);
        shape(p, "backbone.blocks.11.mlp.experts.htoh4.bias", 16, 384);
        shape(p, "backbone.blocks.11.mlp.experts.h4toh.weight", 16, 384, 384);
        shape(p, "backbone.blocks.11.mlp.experts.h4toh.bias", 16, 384);
        for (int t = 0; t < 5; t++) {
            shape(p, "backbone.blocks.1.mlp.gate." + t + ".w_gate", 384, 16);
        }
        assertFalse(p.containsKey("backbone.blocks.1.mlp.fc1.weight"));
        assertFalse(p.containsKey("backbone.blocks.2.mlp.gate.0.w_gate"));
        assertFalse(p.containsKey("backbone.norm.weight"), "no final norm");
        shape(p, "decoders.semseg.norm.weight", 384);
        shape(p, "decoders.semseg.conv_0.weight", 256, 384, 3, 3);
        shape(p, "decoders.human_parts.conv_3.weight", 256, 256, 3, 3);
        shape(p, "decoders.semseg.conv_4.weight", 21, 256, 1, 1);
        shape(p, "decoders.human_parts.conv_4.weight", 7, 256, 1, 1);
        shape(p, "decoders.normals.conv_4.bias", 3);
        shape(p, "decoders.edge.syncbn_fc_3.running_mean", 256);
        shape(p, "decoders.sal.syncbn_fc_0.running_var", 256);

        // Verified reference counts (m3vit.md §15.4): backbone 43,463,040 of which experts 28,385,280;
        // five decoders 13,298,721. BatchNorm running statistics are buffers, not parameters.
        long backbone = 0;
        long experts = 0;
        long decoders = 0;
        for (Map.Entry<String, Parameter> e : p.entrySet()) {
            long n = e.getValue().getShape().size();
            if (e.getKey().startsWith("backbone.")) {
                backbone += n;
                experts += e.getKey().contains(".experts.") ? n : 0;
            } else if (!e.getKey().contains("running_")) {
                decoders += n;
            }
        }
        assertEquals(43_463_040L, backbone);
        assertEquals(28_385_280L, experts);
        assertEquals(13_298_721L, decoders);
        for (String k : p.keySet()) {
            assertTrue(k.matches("(backbone|decoders)\\.[a-z0-9_.]+"), "unexpected name " + k);
        }
    }

    @Test
    void taskConditionedHasSharedGateAndTaskEmbedding() {
        ModelConfig c = TestConfigs.small512().toBuilder()
                .multiGate(false)
                .gateTaskSpecificDim(64)
                .build();
        Map<String, Parameter> p = StateDict.parameters(new MultiTaskModel(c));
        shape(p, "backbone.blocks.1.mlp.gate.w_gate", 448, 16);
        shape(p, "backbone.gate_task_represent.fc1.weight", 64, 5);
        shape(p, "backbone.gate_task_represent.fc2.weight", 64, 64);
        shape(p, "backbone.gate_task_represent.norm.bias", 64);
        assertFalse(p.containsKey("backbone.blocks.1.mlp.gate.0.w_gate"));
    }

    @Test
    void presetsAndDenseBaseline() {
        for (String preset : new String[] {"tiny", "small", "base"}) {
            VitPreset v = VitPreset.find(preset);
            ModelConfig c = TestConfigs.small512().toBuilder().preset(v).build();
            Map<String, Parameter> p = StateDict.parameters(new MultiTaskModel(c));
            shape(p, "backbone.blocks.11.attn.qkv.weight", 3L * v.embedDim(), v.embedDim());
            shape(p, "backbone.blocks.11.mlp.experts.htoh4.weight", 16, v.embedDim(), v.embedDim());
            Map<String, Parameter> dense = StateDict.parameters(new MultiTaskModel(c.denseBaseline()));
            shape(dense, "backbone.blocks.11.mlp.fc1.weight", 4L * v.embedDim(), v.embedDim());
            assertFalse(dense.keySet().stream().anyMatch(k -> k.contains("w_gate") || k.contains("experts")));
        }
        assertEquals(3, VitPreset.find("vit_tiny_patch16_224").numHeads());
        assertEquals(12, VitPreset.find("vit_small_patch16_224").numHeads());
        assertEquals(768, VitPreset.find("deit_base_distilled_path16_384").embedDim());
    }

    private static void shape(Map<String, Parameter> p, String name, long... dims) {
        Parameter param = p.get(name);
        assertNotNull(param, "missing parameter " + name);
        assertArrayEquals(dims, param.getShape().getShape(), name);
    }
}
