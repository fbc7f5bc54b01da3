package org.m3vit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.config.ModelConfig;
import org.m3vit.io.RawSafetensors;
import org.m3vit.io.Tensor;

/** A synthetic DeiT-style (distilled, 3×3 grid, BF16 + F32 mixed) checkpoint imported into a 2×3-grid backbone. */
class TimmImportTest {

    @TempDir
    Path dir;

    private static final int D = 32;

    @Test
    void importsBackboneResizesPosEmbedAndLeavesExpertsAlone() throws Exception {
        ModelConfig c = TestConfigs.tiny().build(); // 32×48 → grid 2×3, depth 4, MoE in blocks 1 and 3
        Random r = new Random(5);
        RawSafetensors ckpt = new RawSafetensors();
        float[] cls = values(r, D);
        float[] pos = values(r, (2 + 9) * D); // cls, dist, 3×3 grid
        ckpt.f32("cls_token", new long[] {1, 1, D}, cls);
        ckpt.f32("dist_token", new long[] {1, 1, D}, values(r, D));
        ckpt.f32("pos_embed", new long[] {1, 11, D}, pos);
        float[] patch = bf16Exact(values(r, D * 3 * 16 * 16));
        ckpt.bf16("patch_embed.proj.weight", new long[] {D, 3, 16, 16}, patch);
        ckpt.f32("patch_embed.proj.bias", new long[] {D}, values(r, D));
        float[] qkv1 = bf16Exact(values(r, 3 * D * D));
        for (int i = 0; i < 4; i++) {
            String b = "blocks." + i + ".";
            ckpt.f32(b + "norm1.weight", new long[] {D}, values(r, D));
            ckpt.f32(b + "norm1.bias", new long[] {D}, values(r, D));
            if (i == 1) {
                ckpt.bf16(b + "attn.qkv.weight", new long[] {3 * D, D}, qkv1);
            } else {
                ckpt.f32(b + "attn.qkv.weight", new long[] {3 * D, D}, values(r, 3 * D * D));
            }
            ckpt.f32(b + "attn.qkv.bias", new long[] {3 * D}, values(r, 3 * D));
            ckpt.f32(b + "attn.proj.weight", new long[] {D, D}, values(r, D * D));
            ckpt.f32(b + "attn.proj.bias", new long[] {D}, values(r, D));
            ckpt.f32(b + "norm2.weight", new long[] {D}, values(r, D));
            ckpt.f32(b + "norm2.bias", new long[] {D}, values(r, D));
            ckpt.f32(b + "mlp.fc1.weight", new long[] {4 * D, D}, values(r, 4 * D * D));
            ckpt.f32(b + "mlp.fc1.bias", new long[] {4 * D}, values(r, 4 * D));
            ckpt.f32(b + "mlp.fc2.weight", new long[] {D, 4 * D}, values(r, 4 * D * D));
            ckpt.f32(b + "mlp.fc2.bias", new long[] {D}, values(r, D));
        }
        ckpt.f32("norm.weight", new long[] {D}, values(r, D));
        ckpt.f32("head.weight", new long[] {1000, D}, new float[1000 * D]);
        ckpt.f32("head_dist.bias", new long[] {1000}, new float[1000]);
        Path file = ckpt.write(dir.resolve("deit.safetensors"));

        try (NDManager m = NDManager.newBaseManager()) {
            MultiTaskModel model = new MultiTaskModel(c).initialize(m);
            Map<String, Tensor> before = ModelWeights.stateDict(model);
            TimmImport.Report report = TimmImport.load(model, file);
            Map<String, Tensor> after = ModelWeights.stateDict(model);

            assertArrayEquals(cls, after.get("backbone.cls_token").floats());
            assertArrayEquals(
                    patch, after.get("backbone.patch_embed.proj.weight").floats(), "BF16 converted exactly");
            assertArrayEquals(
                    qkv1, after.get("backbone.blocks.1.attn.qkv.weight").floats());
            // pos-embed: cls row kept, dist row dropped, the 3×3 grid resized to 2×3
            float[] grid = new float[9 * D];
            System.arraycopy(pos, 2 * D, grid, 0, 9 * D);
            float[] want = new float[7 * D];
            System.arraycopy(pos, 0, want, 0, D);
            System.arraycopy(PosEmbedInterpolation.bilinear(grid, 3, 3, D, 2, 3), 0, want, D, 6 * D);
            assertArrayEquals(want, after.get("backbone.pos_embed").floats(), 1e-6f);
            // the column axis 3 → 3 is an identity, so row 0 of the resized grid mixes source rows 0 and 1:
            // sy = 1.5·0.5 − 0.5 = 0.25 → 0.75·row0 + 0.25·row1 (hand-derived)
            for (int k = 0; k < D; k++) {
                float expect = 0.75f * pos[(2 + 0) * D + k] + 0.25f * pos[(2 + 3) * D + k];
                assertEquals(expect, after.get("backbone.pos_embed").floats()[D + k], 1e-6f);
            }
            // MoE blocks keep their experts and gates; dense blocks get the MLP
            assertArrayEquals(
                    before.get("backbone.blocks.1.mlp.experts.htoh4.weight").floats(),
                    after.get("backbone.blocks.1.mlp.experts.htoh4.weight").floats());
            assertArrayEquals(
                    before.get("backbone.blocks.3.mlp.gate.2.w_gate").floats(),
                    after.get("backbone.blocks.3.mlp.gate.2.w_gate").floats());
            assertTrue(report.skipped().stream().anyMatch(s -> s.startsWith("blocks.1.mlp.fc1.weight")));
            assertTrue(report.skipped().stream().anyMatch(s -> s.startsWith("dist_token")));
            assertArrayEquals(
                    before.get("decoders.semseg.conv_0.weight").floats(),
                    after.get("decoders.semseg.conv_0.weight").floats());
        }
    }

    @Test
    void wrongOrMissingTensorsAreListed() throws Exception {
        ModelConfig c = TestConfigs.tiny().build();
        Path file = new RawSafetensors()
                .f32("cls_token", new long[] {1, 1, 16}, new float[16])
                .f32("pos_embed", new long[] {1, 5, D}, new float[5 * D])
                .f32("blocks.9.norm1.weight", new long[] {D}, new float[D])
                .write(dir.resolve("bad.safetensors"));
        try (NDManager m = NDManager.newBaseManager()) {
            MultiTaskModel model = new MultiTaskModel(c).initialize(m);
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> TimmImport.load(model, file));
            String msg = e.getMessage();
            assertTrue(msg.contains("cls_token: expected (1, 1, 32), file has (1, 1, 16)"), msg);
            assertTrue(msg.contains("unexpected (1): blocks.9.norm1.weight (32)"), msg);
            assertTrue(msg.contains("backbone.patch_embed.proj.weight (32, 3, 16, 16)"), msg);
            assertTrue(msg.contains("backbone.blocks.0.mlp.fc1.weight"), msg);
        }
    }

    private static float[] values(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    private static float[] bf16Exact(float[] v) {
        for (int i = 0; i < v.length; i++) {
            v[i] = Float.intBitsToFloat(Float.floatToIntBits(v[i]) & 0xffff0000);
        }
        return v;
    }
}
