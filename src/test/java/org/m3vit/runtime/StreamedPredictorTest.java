package org.m3vit.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.m3vit.config.ModelConfig;
import org.m3vit.infer.ModelArtifact;
import org.m3vit.infer.ModelInput;
import org.m3vit.infer.Predictions;
import org.m3vit.infer.Predictor;
import org.m3vit.infer.TaskPrediction;
import org.m3vit.task.Task;

/**
 * Streamed experts give the resident outputs bit for bit, for every task, with 2 buffers, 3 and E, from
 * the reference layout and from a packed artifact; and they hold no more than N experts.
 */
class StreamedPredictorTest {

    @TempDir
    static Path dir;

    static ModelConfig config;
    static Path plain;
    static Path packed;
    static List<ModelInput> inputs;
    static Map<Task, float[][]> resident = new LinkedHashMap<>();

    @BeforeAll
    static void setUp() throws Exception {
        config = RuntimeFixtures.multigate();
        plain = RuntimeFixtures.artifact(config, dir.resolve("w.safetensors"));
        packed = dir.resolve("w.packed.safetensors");
        ExpertPacker.pack(plain, config, ModelArtifact.derivedMetadata(plain, config), packed);
        inputs = RuntimeFixtures.inputs(config, 3, 5);
        try (Predictor p = Predictor.builder().weights(plain).build()) {
            for (Task t : config.tasks().tasks()) {
                float[][] outs = new float[inputs.size()][];
                for (int i = 0; i < inputs.size(); i++) {
                    outs[i] = p.predict(inputs.get(i), t).floats();
                }
                resident.put(t, outs);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4})
    void streamedEqualsResidentForEveryTaskFromEitherLayout(int buffers) throws Exception {
        for (Path w : List.of(plain, packed)) {
            try (Predictor p =
                    Predictor.builder().weights(w).expertBuffers(buffers).build()) {
                // a different task every image: the routers and head switch between calls
                for (int i = 0; i < inputs.size(); i++) {
                    for (Task t : config.tasks().tasks()) {
                        // float rounding only: resident small MoE layers run as one batched GEMM
                        assertArrayEquals(
                                resident.get(t)[i],
                                p.predict(inputs.get(i), t).floats(),
                                1e-5f,
                                w.getFileName() + " N=" + buffers + " " + t.id() + " image " + i);
                    }
                }
                RuntimeReport r = p.runtimeReport();
                assertTrue(r.streamed());
                assertEquals(buffers, r.buffers());
                assertTrue(
                        r.expertBytesResident() <= (long) buffers * r.expertBytes(),
                        "held " + r.expertBytesResident() + " bytes of experts, more than " + buffers + " experts");
                assertTrue(r.bytesLoaded() > 0, "nothing was streamed");
            }
        }
    }

    @Test
    void everyPathwayAtOnceMatchesTooWithCountsAndLoads() throws Exception {
        try (Predictor res = Predictor.builder().weights(plain).build();
                Predictor str =
                        Predictor.builder().weights(packed).expertBuffers(2).build()) {
            Predictions a = res.predictAllBatch(inputs);
            Predictions b = str.predictAllBatch(inputs);
            for (Task t : config.tasks().tasks()) {
                assertArrayEquals(a.output(t).floats(), b.output(t).floats(), t.id());
                assertEquals(
                        a.expertCounts().get(t).keySet(),
                        b.expertCounts().get(t).keySet());
                a.expertCounts()
                        .get(t)
                        .forEach((block, c) ->
                                assertArrayEquals(c, b.expertCounts().get(t).get(block)));
            }
            TaskPrediction one = str.predictDetailed(inputs.subList(0, 1), Task.NORMALS);
            assertEquals(config.moeLayers().size(), one.layers().size());
            for (LayerStats l : one.layers()) {
                long nonEmpty = Arrays.stream(one.expertCounts().get(l.block()))
                        .filter(n -> n > 0)
                        .count();
                // two buffers, one image, two MoE layers: every non-empty expert is loaded once per layer call
                assertEquals(nonEmpty, l.expertsComputed(), "block " + l.block());
                assertEquals(nonEmpty, l.expertsLoaded(), "block " + l.block());
                assertEquals(nonEmpty * str.runtimeReport().expertBytes(), l.bytesLoaded());
            }
        }
    }
}
