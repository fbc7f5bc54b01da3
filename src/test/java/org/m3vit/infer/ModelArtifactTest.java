package org.m3vit.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.config.ConfigLoader;
import org.m3vit.config.ConfigWriter;
import org.m3vit.config.ModelConfig;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.io.SafetensorsFile;
import org.m3vit.io.SafetensorsWriter;
import org.m3vit.io.Tensor;
import org.m3vit.model.ModelWeights;
import org.m3vit.model.MultiTaskModel;

/** The artifact metadata: what is written, what is read back, and every way it can disagree. */
class ModelArtifactTest {

    private static final Path CONFIG = Path.of("configs/synth/vit_moe/tiny_pascal.yml");

    @Test
    void roundTripCarriesConfigTasksPreprocessingAndProvenance(@TempDir Path dir) throws Exception {
        ModelConfig config = ConfigLoader.load(CONFIG);
        Path w = dir.resolve("w.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            ModelArtifact.save(
                    new MultiTaskModel(config).initialize(m),
                    w,
                    Provenance.run("runs/x", 3, Map.of("delta_m", "-12.5")));
        }
        ModelArtifact.Info info = ModelArtifact.read(w);
        assertTrue(info.selfDescribing());
        assertEquals(ModelArtifact.SCHEMA, info.schema());
        assertNull(ConfigWriter.firstDifference(config, info.config()));
        assertEquals(config.tasks().ids(), info.config().tasks().ids());
        assertEquals(Preprocessing.imagenet(64, 64), info.preprocessing());
        assertArrayEquals(
                new float[] {0.485f, 0.456f, 0.406f}, info.preprocessing().mean());
        assertEquals("runs/x", info.provenance().sourceRun());
        assertEquals(3, info.provenance().epoch());
        assertEquals("-12.5", info.provenance().extra().get("delta_m"));
        assertFalse(info.version().isBlank());
        try (SafetensorsFile st = SafetensorsFile.open(w)) {
            assertEquals(ConfigWriter.hash(config), st.metadata().get("m3vit.config_hash"));
            assertEquals("semseg,human_parts,sal,normals,edge", st.metadata().get("m3vit.tasks"));
        }
        assertSame(config, ModelArtifact.resolveConfig(w, config), "an agreeing config is used as given");
        assertNull(ConfigWriter.firstDifference(config, ModelArtifact.resolveConfig(w, null)));
    }

    @Test
    void aDisagreeingConfigNamesTheKey(@TempDir Path dir) throws Exception {
        ModelConfig config = ConfigLoader.load(CONFIG);
        Path w = ArtifactFixtures.initialised(config, dir.resolve("w.safetensors"));
        ModelConfig other = ConfigLoader.load(CONFIG, Map.of("backbone_kwargs.moe_top_k", 1));
        InvalidInputException e =
                assertThrows(InvalidInputException.class, () -> ModelArtifact.resolveConfig(w, other));
        assertEquals("backbone_kwargs.moe_top_k", e.subject());
        assertTrue(e.getMessage().contains("says 1") && e.getMessage().contains("saved with 2"), e.getMessage());
        ModelConfig dense = config.denseBaseline();
        InvalidInputException d =
                assertThrows(InvalidInputException.class, () -> ModelArtifact.resolveConfig(w, dense));
        assertEquals("backbone", d.subject());
    }

    @Test
    void referenceFormatFilesAreRecognisedAndNeedAConfig(@TempDir Path dir) throws Exception {
        ModelConfig config = ConfigLoader.load(CONFIG);
        Path w = dir.resolve("ref.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            ModelWeights.save(new MultiTaskModel(config).initialize(m), w, Map.of());
        }
        assertFalse(ModelArtifact.read(w).selfDescribing());
        assertSame(config, ModelArtifact.resolveConfig(w, config));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ModelArtifact.resolveConfig(w, null));
        assertEquals(w.toString(), e.subject());
    }

    @Test
    void brokenMetadataIsAClearError(@TempDir Path dir) throws Exception {
        ModelConfig config = ConfigLoader.load(CONFIG);
        Map<String, String> good = ModelArtifact.metadata(config, Preprocessing.imagenet(64, 64), Provenance.none());
        fails(dir, with(good, "m3vit.artifact", "9"), "schema 9");
        fails(dir, with(good, "m3vit.tasks", "semseg"), "disagrees");
        fails(dir, with(good, "m3vit.input_size", "32x32"), "disagrees with its config's img_size");
        fails(dir, with(good, "m3vit.input_size", "big"), "not HxW");
        fails(dir, with(good, "m3vit.std", "0.2,0,0.2"), "std > 0");
        fails(dir, with(good, "m3vit.config", "backbone: Nope\n"), "embedded model config is invalid");
        Map<String, String> noConfig = new LinkedHashMap<>(good);
        noConfig.remove("m3vit.config");
        fails(dir, noConfig, "lacks m3vit.config");
        fails(dir, with(good, "m3vit.kind", "generalist"), "m3vit generalist eval");
    }

    private static Map<String, String> with(Map<String, String> m, String k, String v) {
        Map<String, String> out = new LinkedHashMap<>(m);
        out.put(k, v);
        return out;
    }

    private static void fails(Path dir, Map<String, String> meta, String expected) throws Exception {
        Path f = dir.resolve("bad.safetensors");
        SafetensorsWriter.write(f, Map.of("x", Tensor.of(new long[] {1}, new float[] {0})), meta);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> ModelArtifact.read(f));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().contains(f.toString()), "names the file: " + e.getMessage());
    }
}
