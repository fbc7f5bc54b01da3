package org.m3vit.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.config.ModelConfig;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.infer.ModelArtifact;
import org.m3vit.infer.ModelInput;
import org.m3vit.infer.Predictor;
import org.m3vit.io.SafetensorsFile;
import org.m3vit.io.TensorInfo;
import org.m3vit.task.Task;

/**
 * The expert-major artifact: it round-trips every tensor, is laid out one aligned group per expert, carries
 * its config, and a truncated or corrupt expert is an error naming the file and the expert, never an answer.
 */
class PackedArtifactTest {

    @TempDir
    Path dir;

    @Test
    void packingRoundTripsEveryTensorAndLaysOutOneAlignedGroupPerExpert() throws Exception {
        ModelConfig c = RuntimeFixtures.multigate();
        Path plain = RuntimeFixtures.artifact(c, dir.resolve("w.safetensors"));
        Path packed = dir.resolve("p.safetensors");
        ExpertPacker.Packed info = ExpertPacker.pack(plain, c, ModelArtifact.derivedMetadata(plain, c), packed);
        assertEquals(c.moeLayers().size(), info.layers());
        assertEquals(c.moeLayers().size() * c.moeExperts(), info.experts());
        try (WeightFile a = WeightFile.open(plain);
                WeightFile b = WeightFile.open(packed);
                SafetensorsFile raw = SafetensorsFile.open(packed)) {
            assertTrue(b.packed());
            assertEquals(a.tensors().tensors().keySet(), b.tensors().tensors().keySet());
            for (String name : a.tensors().tensors().keySet()) {
                TensorInfo t = a.tensors().info(name);
                assertArrayEquals(t.shape(), b.tensors().info(name).shape(), name);
                if (t.dtype().floating()) {
                    assertArrayEquals(a.tensors().floats(name), b.tensors().floats(name), name);
                } else {
                    assertArrayEquals(a.tensors().longs(name), b.tensors().longs(name), name);
                }
            }
            // expert 2 of block 1 on its own, every tensor 64-byte aligned in the file, in one contiguous run
            String prefix = "backbone.blocks.1.mlp.experts.2.";
            long end = -1;
            for (String p : List.of("htoh4.weight", "htoh4.bias", "h4toh.weight", "h4toh.bias")) {
                TensorInfo t = raw.info(prefix + p);
                assertEquals(0, (raw.dataStart() + t.begin()) % ExpertLayer.ALIGNMENT, p + " aligned");
                assertTrue(end < 0 || t.begin() - end < ExpertLayer.ALIGNMENT, p + " follows its expert's previous");
                end = t.end();
            }
        }
        assertEquals(
                c.toString(), ModelArtifact.read(packed).config().toString(), "the packed file carries its config");
        assertTrue(ModelArtifact.read(packed).provenance().extra().keySet().stream()
                .noneMatch(k -> k.startsWith("experts.")));
        // resident from the packed file: the same outputs
        List<ModelInput> in = RuntimeFixtures.inputs(c, 1, 2);
        try (Predictor p = Predictor.builder().weights(plain).build();
                Predictor q = Predictor.builder().weights(packed).build()) {
            assertArrayEquals(
                    p.predict(in.get(0), Task.EDGE).floats(),
                    q.predict(in.get(0), Task.EDGE).floats());
        }
    }

    @Test
    void aCorruptExpertIsNamedAndNeverAnswered() throws Exception {
        ModelConfig c = RuntimeFixtures.multigate();
        Path plain = RuntimeFixtures.artifact(c, dir.resolve("w.safetensors"));
        Path packed = dir.resolve("p.safetensors");
        ExpertPacker.pack(plain, c, ModelArtifact.derivedMetadata(plain, c), packed);
        long at;
        try (SafetensorsFile raw = SafetensorsFile.open(packed)) {
            at = raw.dataStart()
                    + raw.info("backbone.blocks.1.mlp.experts.0.htoh4.weight").begin()
                    + 8;
        }
        flipByte(packed, at);
        List<ModelInput> in = RuntimeFixtures.inputs(c, 1, 3);
        // expert 0 of block 1 is chosen by some token of this input and task (checked by the resident run)
        try (Predictor resident = Predictor.builder().weights(plain).build()) {
            assertTrue(resident.predictDetailed(in, Task.SEMSEG).expertCounts().get(1)[0] > 0);
        }
        try (Predictor p = Predictor.builder().weights(packed).expertBuffers(2).build()) {
            InvalidInputException e =
                    assertThrows(InvalidInputException.class, () -> p.predict(in.get(0), Task.SEMSEG));
            assertTrue(e.getMessage().contains(packed.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("backbone.blocks.1.mlp.experts[0] is corrupt"), e.getMessage());
        }
        // a resident load of the packed file checks the same CRCs
        InvalidInputException e = assertThrows(
                InvalidInputException.class,
                () -> Predictor.builder().weights(packed).build());
        assertTrue(e.getMessage().contains("is corrupt"), e.getMessage());
    }

    @Test
    void aFileTruncatedAfterOpeningIsNamedWithTheExpert() throws Exception {
        ModelConfig c = RuntimeFixtures.multigate();
        for (boolean pack : new boolean[] {false, true}) {
            Path plain = RuntimeFixtures.artifact(c, dir.resolve("w" + pack + ".safetensors"));
            Path w = plain;
            if (pack) {
                w = dir.resolve("p.safetensors");
                ExpertPacker.pack(plain, c, ModelArtifact.derivedMetadata(plain, c), w);
            }
            Path file = w;
            List<ModelInput> in = RuntimeFixtures.inputs(c, 1, 4);
            try (Predictor p =
                    Predictor.builder().weights(file).expertBuffers(2).build()) {
                p.predict(in.get(0), Task.SAL); // sal's routers and head are now resident
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ch.truncate(ch.size() - 100);
                }
                InvalidInputException e =
                        assertThrows(InvalidInputException.class, () -> p.predict(in.get(0), Task.SAL));
                assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
                assertTrue(e.getMessage().contains("truncated"), e.getMessage());
                assertTrue(e.getMessage().contains(".mlp.experts["), "names the expert: " + e.getMessage());
                // switching to a task whose head the cut removed names the tensor
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    ch.truncate(ch.size() / 2);
                }
                InvalidInputException sw =
                        assertThrows(InvalidInputException.class, () -> p.predict(in.get(0), Task.EDGE));
                assertTrue(sw.getMessage().contains("truncated"), sw.getMessage());
            }
            // and opening it now fails up front, naming the file
            InvalidInputException e = assertThrows(
                    InvalidInputException.class,
                    () -> Predictor.builder().weights(file).expertBuffers(2).build());
            assertEquals(file.toString(), e.subject());
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        }
    }

    @Test
    void weightsOfAnotherModelAreRefusedNamingTheFile() throws Exception {
        ModelConfig c = RuntimeFixtures.multigate();
        Path w = RuntimeFixtures.artifact(c, dir.resolve("w.safetensors"));
        Path packed = dir.resolve("p.safetensors");
        ModelConfig other = c.toBuilder().moeExperts(5).build();
        // the file's own config differs from the one given: the key is named
        InvalidInputException key = assertThrows(InvalidInputException.class, () -> Predictor.builder()
                .weights(w)
                .config(other)
                .expertBuffers(2)
                .build());
        assertEquals("backbone_kwargs.moe_experts", key.subject());
        // packing as another model: the tensors do not match, the file is named with what is wrong
        InvalidInputException e = assertThrows(
                InvalidInputException.class,
                () -> ExpertPacker.pack(
                        RuntimeFixtures.FIXTURES.resolve("multigate_weights.safetensors"),
                        other,
                        ModelArtifact.derivedMetadata(w, other),
                        packed));
        assertTrue(e.getMessage().contains("multigate_weights.safetensors"), e.getMessage());
        assertTrue(e.getMessage().contains("experts.htoh4.weight: expected (5, 16, 16)"), e.getMessage());
        assertFalse(Files.exists(packed));
    }

    private static void flipByte(Path file, long at) throws Exception {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x40));
            b.rewind();
            ch.write(b, at);
        }
    }
}
