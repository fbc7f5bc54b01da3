package org.m3vit.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.config.ModelConfig;
import org.m3vit.io.RawSafetensors;
import org.m3vit.io.SafetensorsWriter;
import org.m3vit.io.Tensor;
import org.m3vit.task.Task;

/** Whole-model safetensors save/load with reference names, and every bad-weights case. */
class ModelWeightsTest {

    @TempDir
    Path dir;

    private final ModelConfig config = TestConfigs.tiny().build();

    @Test
    void roundTripIsExactIncludingBatchNormState() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(1);
            MultiTaskModel a = new MultiTaskModel(config).initialize(m);
            a.head(Task.SAL).batchNorm(1).setNumBatchesTracked(42);
            Map<String, Tensor> sd = ModelWeights.stateDict(a);
            // non-trivial running stats so they are really carried
            sd.put(
                    "decoders.sal.syncbn_fc_1.running_var",
                    Tensor.of(new long[] {8}, new float[] {0.5f, 1.5f, 2f, 3f, 0.25f, 1f, 1f, 9f}));
            Path f = dir.resolve("w.safetensors");
            SafetensorsWriter.write(f, sd, Map.of());
            ModelWeights.load(a, f);
            Path g = dir.resolve("w2.safetensors");
            ModelWeights.save(a, g, Map.of("note", "test"));

            Engine.getInstance().setRandomSeed(2);
            MultiTaskModel b = new MultiTaskModel(config).initialize(m);
            ModelWeights.load(b, g);
            Map<String, Tensor> sb = ModelWeights.stateDict(b);
            assertEquals(sd.keySet(), sb.keySet());
            for (String k : sd.keySet()) {
                Tensor x = sd.get(k);
                Tensor y = sb.get(k);
                assertArrayEquals(x.shape(), y.shape(), k);
                if (x.isFloat()) {
                    assertArrayEquals(x.floats(), y.floats(), k);
                } else {
                    assertArrayEquals(x.longs(), y.longs(), k);
                }
            }
            assertEquals(42, b.head(Task.SAL).batchNorm(1).numBatchesTracked());
            assertTrue(sb.containsKey("decoders.semseg.syncbn_fc_0.num_batches_tracked"));
        }
    }

    @Test
    void ddpModulePrefixAndBf16TensorsLoad() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            MultiTaskModel a = new MultiTaskModel(config).initialize(m);
            Map<String, Tensor> sd = ModelWeights.stateDict(a);
            RawSafetensors raw = new RawSafetensors();
            for (Map.Entry<String, Tensor> e : sd.entrySet()) {
                Tensor t = e.getValue();
                if (!t.isFloat()) {
                    raw.add(
                            "module." + e.getKey(),
                            "I64",
                            t.shape(),
                            ByteBuffer.allocate(8)
                                    .order(ByteOrder.LITTLE_ENDIAN)
                                    .putLong(7)
                                    .array());
                } else {
                    float[] v = t.floats().clone();
                    for (int i = 0; i < v.length; i++) {
                        v[i] = Float.intBitsToFloat(Float.floatToIntBits(v[i]) & 0xffff0000); // bf16-exact
                    }
                    raw.bf16("module." + e.getKey(), t.shape(), v);
                    sd.put(e.getKey(), Tensor.of(t.shape(), v));
                }
            }
            raw.f32("module.tam_model0.layers0.0.weight", new long[] {2, 2}, new float[4]); // training-only TAM
            Path f = raw.write(dir.resolve("bf16.safetensors"));
            MultiTaskModel b = new MultiTaskModel(config).initialize(m);
            assertEquals(List.of("module.tam_model0.layers0.0.weight"), ModelWeights.load(b, f));
            Map<String, Tensor> sb = ModelWeights.stateDict(b);
            for (String k : sd.keySet()) {
                if (sd.get(k).isFloat()) {
                    assertArrayEquals(sd.get(k).floats(), sb.get(k).floats(), k);
                }
            }
            assertEquals(7, b.head(Task.EDGE).batchNorm(3).numBatchesTracked());
        }
    }

    @Test
    void missingUnexpectedAndWrongShapeAreAllListedAndNothingIsChanged() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            MultiTaskModel a = new MultiTaskModel(config).initialize(m);
            Map<String, Tensor> sd = new LinkedHashMap<>(ModelWeights.stateDict(a));
            sd.remove("backbone.blocks.1.mlp.gate.3.w_gate");
            sd.remove("decoders.edge.syncbn_fc_2.num_batches_tracked");
            sd.put("backbone.norm.weight", Tensor.of(new long[] {32}, new float[32]));
            sd.put("decoders.semseg.conv_4.weight", Tensor.of(new long[] {20, 8, 1, 1}, new float[160]));
            sd.put("decoders.sal.syncbn_fc_0.num_batches_tracked", Tensor.of(new long[0], new float[] {1}));
            Path f = dir.resolve("bad.safetensors");
            SafetensorsWriter.write(f, sd, Map.of());
            float[] before = ModelWeights.stateDict(a).get("backbone.pos_embed").floats();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelWeights.load(a, f));
            String msg = e.getMessage();
            for (String s : new String[] {
                "missing (2)",
                "backbone.blocks.1.mlp.gate.3.w_gate (32, 4)",
                "decoders.edge.syncbn_fc_2.num_batches_tracked ()",
                "unexpected (1)",
                "backbone.norm.weight (32)",
                "decoders.semseg.conv_4.weight: expected (21, 8, 1, 1), file has (20, 8, 1, 1)",
                "decoders.sal.syncbn_fc_0.num_batches_tracked: expected an int64 scalar"
            }) {
                assertTrue(msg.contains(s), "message lacks '" + s + "':\n" + msg);
            }
            assertArrayEquals(
                    before,
                    ModelWeights.stateDict(a).get("backbone.pos_embed").floats(),
                    "a rejected file changes nothing");
        }
    }

    @Test
    void brokenFilesAreRejectedWithoutCrashing() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            MultiTaskModel a = new MultiTaskModel(config).initialize(m);
            Path good = dir.resolve("good.safetensors");
            ModelWeights.save(a, good, Map.of());
            byte[] bytes = Files.readAllBytes(good);
            Path truncated = Files.write(dir.resolve("t.safetensors"), Arrays.copyOf(bytes, bytes.length - 100));
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> ModelWeights.load(a, truncated));
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
            Path garbage = Files.write(dir.resolve("g.safetensors"), "not a weights file at all".getBytes());
            e = assertThrows(IllegalArgumentException.class, () -> ModelWeights.load(a, garbage));
            assertTrue(e.getMessage().contains("bad header"), e.getMessage());
            Path u8 = new RawSafetensors()
                    .add("backbone.cls_token", "U8", new long[] {1, 1, 32}, new byte[32])
                    .write(dir.resolve("u8.safetensors"));
            e = assertThrows(IllegalArgumentException.class, () -> ModelWeights.load(a, u8));
            assertTrue(
                    e.getMessage().contains("unsupported dtype")
                            && e.getMessage().contains("backbone.cls_token U8 (1, 1, 32)"),
                    e.getMessage());
            Path i64 = new RawSafetensors()
                    .add("backbone.cls_token", "I64", new long[] {1, 1, 32}, new byte[256])
                    .write(dir.resolve("i64.safetensors"));
            e = assertThrows(IllegalArgumentException.class, () -> ModelWeights.load(a, i64));
            assertTrue(
                    e.getMessage().contains("backbone.cls_token: expected a float dtype, file has I64"),
                    e.getMessage());
            assertFalse(e.getMessage().isEmpty());
        }
    }
}
