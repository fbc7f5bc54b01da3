package org.m3vit.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.config.ModelConfig;
import org.m3vit.infer.ModelInput;
import org.m3vit.infer.Predictor;
import org.m3vit.infer.TaskPrediction;
import org.m3vit.task.Task;

/** With buffers beyond two, the running task's most used experts stay loaded: they are not read again. */
class UsagePinningTest {

    @Test
    void pinnedExpertsAreLoadedOnceAndTheOutputsDoNotChange(@TempDir Path dir) throws Exception {
        ModelConfig c = RuntimeFixtures.multigate();
        Path w = RuntimeFixtures.artifact(c, dir.resolve("w.safetensors"));
        List<ModelInput> in = RuntimeFixtures.inputs(c, 3, 21);
        Task task = Task.HUMAN_PARTS;
        Map<Integer, long[]> usage = new LinkedHashMap<>();
        float[][] want = new float[in.size()][];
        try (Predictor resident = Predictor.builder().weights(w).build()) {
            for (int i = 0; i < in.size(); i++) {
                TaskPrediction p = resident.predictDetailed(List.of(in.get(i)), task);
                want[i] = p.output().floats();
                p.expertCounts().forEach((b, counts) -> {
                    long[] sum = usage.computeIfAbsent(b, x -> new long[counts.length]);
                    for (int e = 0; e < counts.length; e++) {
                        sum[e] += counts[e];
                    }
                });
            }
        }
        // 4 buffers: the two most used (layer, expert) pairs pinned, two left for the ping-pong
        try (Predictor p = Predictor.builder()
                .weights(w)
                .expertBuffers(4)
                .expertUsage(Map.of(task, usage))
                .build()) {
            int[][] hot = top2(usage);
            for (int i = 0; i < in.size(); i++) {
                TaskPrediction got = p.predictDetailed(List.of(in.get(i)), task);
                // streamed experts run one by one, resident small layers batched: equal up to summation order
                assertArrayEquals(want[i], got.output().floats(), 1e-5f, "image " + i);
                long pinnedUsed = 0;
                for (int[] h : hot) {
                    pinnedUsed += got.expertCounts().get(h[0])[h[1]] > 0 ? 1 : 0;
                }
                long computed = got.layers().stream()
                        .mapToLong(LayerStats::expertsComputed)
                        .sum();
                long loaded = got.layers().stream()
                        .mapToLong(LayerStats::expertsLoaded)
                        .sum();
                // the first image loads everything it uses; later ones skip the pinned experts they use
                assertEquals(i == 0 ? computed : computed - pinnedUsed, loaded, "image " + i);
            }
        }
    }

    /** The two (block, expert) pairs with the most tokens. */
    private static int[][] top2(Map<Integer, long[]> usage) {
        int[][] best = new int[2][];
        long[] n = {-1, -1};
        usage.forEach((b, counts) -> {
            for (int e = 0; e < counts.length; e++) {
                if (counts[e] > n[0]) {
                    n[1] = n[0];
                    best[1] = best[0];
                    n[0] = counts[e];
                    best[0] = new int[] {b, e};
                } else if (counts[e] > n[1]) {
                    n[1] = counts[e];
                    best[1] = new int[] {b, e};
                }
            }
        });
        return best;
    }
}
