package org.m3vit.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.config.ConfigLoader;
import org.m3vit.config.ModelConfig;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.io.SafetensorsFile;
import org.m3vit.io.Tensor;
import org.m3vit.task.Task;

/** The predictor against the independent PyTorch fixture, its input forms, and its thread-safety contract. */
class PredictorTest {

    private static final Path FIXTURES = Path.of("src/test/resources/fixtures");

    @Test
    void reproducesThePyTorchFixtureOnEveryPathway() throws Exception {
        ModelConfig config = ConfigLoader.load(FIXTURES.resolve("multigate.yml"));
        try (Predictor p = Predictor.builder()
                        .weights(FIXTURES.resolve("multigate_weights.safetensors"))
                        .config(config)
                        .build();
                SafetensorsFile io = SafetensorsFile.open(FIXTURES.resolve("multigate_io.safetensors"))) {
            List<ModelInput> batch = split(io.read("input"));
            Predictions all = p.predictAllBatch(batch);
            for (Task t : config.tasks().tasks()) {
                float[] want = io.floats("out." + t.id());
                assertClose(
                        t.id() + " single pathway",
                        want,
                        p.predictBatch(batch, t).floats(),
                        1e-4);
                assertClose(t.id() + " all pathways", want, all.output(t).floats(), 1e-4);
                assertTrue(all.expertCounts().get(t).containsKey(1), "block 1 is an MoE block");
            }
        }
    }

    @Test
    void referenceFormatWeightsNeedAConfig() {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Predictor.builder()
                .weights(FIXTURES.resolve("multigate_weights.safetensors"))
                .build());
        assertEquals(InvalidInputException.Kind.FILE, e.kind());
        assertTrue(e.getMessage().contains("carries no model config"), e.getMessage());
    }

    @Test
    void rawImagesArePreprocessedAsTheArtifactSays(@TempDir Path dir) throws Exception {
        ModelConfig config = ConfigLoader.load(FIXTURES.resolve("multigate.yml"));
        Path w = ArtifactFixtures.initialised(config, dir.resolve("w.safetensors"));
        int h = config.imgHeight();
        int wd = config.imgWidth();
        // One colour at the input size: the cubic resize is the identity, so the normalised input is
        // (rgb/255 - mean)/std per channel, worked out here without the pipeline.
        float[] rgb = {200, 100, 30};
        float[] mean = {0.485f, 0.456f, 0.406f};
        float[] std = {0.229f, 0.224f, 0.225f};
        float[] hwc = new float[3 * h * wd];
        float[] chw = new float[3 * h * wd];
        for (int i = 0; i < h * wd; i++) {
            for (int c = 0; c < 3; c++) {
                hwc[3 * i + c] = rgb[c];
                chw[c * h * wd + i] = (rgb[c] / 255f - mean[c]) / std[c];
            }
        }
        try (Predictor p = Predictor.builder().weights(w).build()) {
            float[] fromImage =
                    p.predict(ModelInput.image(hwc, h, wd), Task.NORMALS).floats();
            float[] fromTensor = p.predict(ModelInput.normalised(chw, 3, h, wd), Task.NORMALS)
                    .floats();
            assertClose("raw vs hand-normalised", fromTensor, fromImage, 1e-5);
        }
    }

    @Test
    void wrongInputShapeIsNamed(@TempDir Path dir) throws Exception {
        ModelConfig config = ConfigLoader.load(FIXTURES.resolve("multigate.yml"));
        Path w = ArtifactFixtures.initialised(config, dir.resolve("w.safetensors"));
        try (Predictor p = Predictor.builder().weights(w).build()) {
            InvalidInputException e = assertThrows(
                    InvalidInputException.class,
                    () -> p.predict(ModelInput.normalised(new float[3 * 8 * 8], 3, 8, 8), Task.SEMSEG));
            assertEquals("input[0]", e.subject());
            assertThrows(
                    IllegalArgumentException.class,
                    () -> p.predict(ModelInput.normalised(new float[3 * 8 * 8], 3, 8, 8), Task.DEPTH));
        }
    }

    /** Contract: concurrent calls on one predictor give exactly the single-threaded results. */
    @Test
    void concurrentCallsGiveTheSingleThreadedResults(@TempDir Path dir) throws Exception {
        ModelConfig config = ConfigLoader.load(FIXTURES.resolve("multigate.yml"));
        Path w = ArtifactFixtures.initialised(config, dir.resolve("w.safetensors"));
        try (Predictor p = Predictor.builder().weights(w).build();
                SafetensorsFile io = SafetensorsFile.open(FIXTURES.resolve("multigate_io.safetensors"))) {
            List<ModelInput> inputs = split(io.read("input"));
            List<Task> tasks = config.tasks().tasks();
            float[][] expected = new float[tasks.size() * inputs.size()][];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = p.predict(inputs.get(i % inputs.size()), tasks.get(i / inputs.size()))
                        .floats();
            }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<float[]>> futures = new ArrayList<>();
                for (int round = 0; round < 3; round++) {
                    for (int i = 0; i < expected.length; i++) {
                        int k = i;
                        futures.add(
                                pool.submit(() -> p.predict(inputs.get(k % inputs.size()), tasks.get(k / inputs.size()))
                                        .floats()));
                    }
                }
                for (int i = 0; i < futures.size(); i++) {
                    assertArrayEquals(
                            expected[i % expected.length], futures.get(i).get(), "call " + i);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    static List<ModelInput> split(Tensor batch) {
        long[] s = batch.shape();
        int per = (int) (s[1] * s[2] * s[3]);
        List<ModelInput> out = new ArrayList<>();
        for (int i = 0; i < s[0]; i++) {
            float[] one = new float[per];
            System.arraycopy(batch.floats(), i * per, one, 0, per);
            out.add(ModelInput.normalised(one, (int) s[1], (int) s[2], (int) s[3]));
        }
        return out;
    }

    static void assertClose(String what, float[] want, float[] got, double tol) {
        assertEquals(want.length, got.length, what + ": element count");
        double max = 0;
        for (int i = 0; i < want.length; i++) {
            max = Math.max(max, Math.abs(want[i] - got[i]));
        }
        assertTrue(max <= tol, what + ": max abs diff " + max + " > " + tol);
    }
}
