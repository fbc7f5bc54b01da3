package org.m3vit.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.cli.CliRun;
import org.m3vit.config.ConfigLoader;
import org.m3vit.config.ModelConfig;
import org.m3vit.data.MultiTaskReader;
import org.m3vit.data.RawSample;
import org.m3vit.data.Split;
import org.m3vit.infer.ModelArtifact;
import org.m3vit.infer.ModelInput;
import org.m3vit.infer.Predictor;
import org.m3vit.infer.TaskExtraction;
import org.m3vit.task.Task;

/**
 * Per-task extraction: without dropping, the single-task artifact gives the task's pathway bit for bit;
 * with calibration it drops the rarely chosen experts, reports the output change it measured (checked here
 * independently), and streams and packs without ever loading the dropped experts.
 */
class TaskExtractionTest {

    private static final Path TINY = Path.of("configs/synth/vit_moe/tiny_pascal.yml");

    @TempDir
    static Path dir;

    static ModelConfig config;
    static Path weights;
    static Path data;

    @BeforeAll
    static void setUp() throws Exception {
        config = ConfigLoader.load(TINY);
        weights = dir.resolve("w.safetensors");
        assertEquals(
                0,
                CliRun.of("init-weights", "--config", TINY.toString(), "--out", weights.toString(), "--seed", "2")
                        .exit);
        data = dir.resolve("data");
        CliRun synth = CliRun.of(
                "synth",
                "--layout",
                "pascal",
                "--n",
                "6",
                "--size",
                "64x64",
                "--out",
                data.toString(),
                "--threads",
                "1");
        assertEquals(0, synth.exit, synth.err);
    }

    @Test
    void withoutDroppingTheSingleTaskArtifactGivesTheTaskPathwayExactly() throws Exception {
        Path out = dir.resolve("normals.safetensors");
        TaskExtraction.Result r = TaskExtraction.run(weights, config, Task.NORMALS, null, out, m -> {});
        assertEquals(0, r.droppedCount());
        ModelConfig single = ModelArtifact.read(out).config();
        assertEquals(List.of(Task.NORMALS), single.tasks().tasks());
        List<ModelInput> in = RuntimeFixtures.inputs(config, 2, 13);
        try (Predictor all = Predictor.builder().weights(weights).build();
                Predictor one = Predictor.builder().weights(out).build();
                Predictor streamed =
                        Predictor.builder().weights(out).expertBuffers(2).build()) {
            for (ModelInput x : in) {
                float[] want = all.predict(x, Task.NORMALS).floats();
                assertArrayEquals(want, one.predict(x, Task.NORMALS).floats());
                // streamed experts run one by one, resident small layers batched: equal up to summation order
                assertArrayEquals(want, streamed.predict(x, Task.NORMALS).floats(), 1e-5f);
            }
            assertTrue(
                    one.runtimeReport().residentBytes() < all.runtimeReport().residentBytes(),
                    "the other tasks' heads and routers are gone");
        }
    }

    @Test
    void calibratedExtractionDropsRareExpertsReportsTheChangeAndNeverLoadsThem() throws Exception {
        Path out = dir.resolve("semseg.safetensors");
        TaskExtraction.Result r = TaskExtraction.run(
                weights, config, Task.SEMSEG, new TaskExtraction.Calibration(data, 6, 0.2), out, m -> {});
        assertTrue(r.droppedCount() > 0, "with 4 experts, 0.2 of the assignments drops some: " + r.usage());
        // the reported change, recomputed: the model against the extracted artifact on the same train images
        MultiTaskReader reader =
                MultiTaskReader.open(config.tasks().dataset(), data, Split.TRAIN, EnumSet.of(Task.SEMSEG));
        assertEquals(Math.min(6, reader.size()), r.images());
        double max = 0;
        Path packed = dir.resolve("semseg.packed.safetensors");
        ExpertPacker.Packed p = ExpertPacker.pack(
                out,
                ModelArtifact.read(out).config(),
                ModelArtifact.derivedMetadata(out, ModelArtifact.read(out).config()),
                packed);
        assertEquals(r.droppedCount(), p.dropped());
        try (Predictor a = Predictor.builder().weights(weights).build();
                Predictor b = Predictor.builder().weights(out).build();
                Predictor s =
                        Predictor.builder().weights(packed).expertBuffers(2).build()) {
            for (int i = 0; i < r.images(); i++) {
                RawSample sample = reader.read(i);
                ModelInput x = ModelInput.image(sample.image(), sample.height(), sample.width());
                float[] ya = a.predict(x, Task.SEMSEG).floats();
                float[] yb = b.predict(x, Task.SEMSEG).floats();
                for (int k = 0; k < ya.length; k++) {
                    max = Math.max(max, Math.abs((double) ya[k] - yb[k]));
                }
                assertArrayEquals(
                        yb, s.predict(x, Task.SEMSEG).floats(), 1e-5f, "streamed from the packed extract, image " + i);
            }
            long computed = s.runtimeReport().layers().stream()
                    .mapToLong(LayerStats::expertsComputed)
                    .sum();
            long loaded = s.runtimeReport().layers().stream()
                    .mapToLong(LayerStats::expertsLoaded)
                    .sum();
            assertEquals(computed, loaded, "every expert computed was loaded, and dropped ones were neither");
        }
        assertEquals(max, r.maxAbsChange(), 0.0);
        assertTrue(max > 0, "dropping chosen experts changes the outputs");
        try (WeightFile f = WeightFile.open(out)) {
            Map<String, Set<Integer>> dropped = f.dropped();
            r.dropped()
                    .forEach((block, ids) -> assertEquals(
                            ids, dropped.getOrDefault("backbone.blocks." + block + ".mlp.experts", Set.of())));
        }
        assertTrue(Files.size(packed) < Files.size(out), "dropped experts are left out of the packed file");
    }

    @Test
    void droppingOnlyNeverChosenExpertsLeavesTheCalibrationOutputsUnchanged() throws Exception {
        Path out = dir.resolve("sal.safetensors");
        TaskExtraction.Result r = TaskExtraction.run(
                weights, config, Task.SAL, new TaskExtraction.Calibration(data, 6, 0.0), out, m -> {});
        for (Map.Entry<Integer, Set<Integer>> e : r.dropped().entrySet()) {
            for (int expert : e.getValue()) {
                assertEquals(0, r.usage().get(e.getKey())[expert], "only never-chosen experts are dropped");
            }
        }
        assertEquals(0.0, r.maxAbsChange());
    }
}
