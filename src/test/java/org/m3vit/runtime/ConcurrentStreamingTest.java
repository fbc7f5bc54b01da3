package org.m3vit.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.config.ModelConfig;
import org.m3vit.infer.ModelArtifact;
import org.m3vit.infer.ModelInput;
import org.m3vit.infer.Predictor;
import org.m3vit.task.Task;

/**
 * Several streamed predictors at once, and several threads on one streamed predictor asking for different
 * tasks (so its routers and head switch under them), all give the single-threaded resident outputs.
 */
class ConcurrentStreamingTest {

    @Test
    void concurrentCallsOnSeveralStreamedPredictorsGiveTheResidentOutputs(@TempDir Path dir) throws Exception {
        ModelConfig c = RuntimeFixtures.multigate();
        Path plain = RuntimeFixtures.artifact(c, dir.resolve("w.safetensors"));
        Path packed = dir.resolve("p.safetensors");
        ExpertPacker.pack(plain, c, ModelArtifact.derivedMetadata(plain, c), packed);
        List<ModelInput> inputs = RuntimeFixtures.inputs(c, 2, 9);
        List<Task> tasks = c.tasks().tasks();
        int cases = tasks.size() * inputs.size();
        float[][] expected = new float[cases][];
        try (Predictor resident = Predictor.builder().weights(plain).build()) {
            for (int k = 0; k < cases; k++) {
                expected[k] = resident.predict(inputs.get(k % inputs.size()), tasks.get(k / inputs.size()))
                        .floats();
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (Predictor a = Predictor.builder().weights(plain).expertBuffers(2).build();
                Predictor b =
                        Predictor.builder().weights(packed).expertBuffers(3).build()) {
            List<Future<float[]>> futures = new ArrayList<>();
            List<Integer> which = new ArrayList<>();
            for (int round = 0; round < 2; round++) {
                for (int k = 0; k < cases; k++) {
                    for (Predictor p : List.of(a, b)) {
                        int kk = k;
                        futures.add(pool.submit(
                                () -> p.predict(inputs.get(kk % inputs.size()), tasks.get(kk / inputs.size()))
                                        .floats()));
                        which.add(k);
                    }
                }
            }
            for (int i = 0; i < futures.size(); i++) {
                // streamed experts run one by one, resident small layers batched: equal up to summation order
                assertArrayEquals(expected[which.get(i)], futures.get(i).get(), 1e-5f, "call " + i);
            }
            assertTrue(a.runtimeReport().taskSwitches() >= tasks.size(), "the tasks did switch under the threads");
            assertTrue(a.runtimeReport().expertBytesResident()
                    <= 2 * a.runtimeReport().expertBytes());
        } finally {
            pool.shutdownNow();
        }
    }
}
