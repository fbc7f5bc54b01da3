package org.m3vit.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.cli.CliRun;
import org.m3vit.config.ConfigLoader;
import org.m3vit.config.ModelConfig;
import org.m3vit.data.MultiTaskReader;
import org.m3vit.data.Split;
import org.m3vit.infer.Predictor;
import org.m3vit.model.MultiTaskModel;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.Task;

/** The SplitEvaluator's results do not depend on batching, and expert counts add up to tokens × top-k. */
class SplitEvaluatorTest {

    @TempDir
    Path dir;

    @Test
    void batchSizeDoesNotChangeMetricsAndUsageCountsEveryToken() throws Exception {
        assertEquals(
                0,
                CliRun.of(
                                "synth",
                                "--layout",
                                "nyud",
                                "--n",
                                "10",
                                "--size",
                                "48x64",
                                "--seed",
                                "3",
                                "--split-val",
                                "0.5",
                                "--threads",
                                "1",
                                "--out",
                                dir.toString())
                        .exit);
        ModelConfig c = ConfigLoader.load(Path.of("configs/synth/vit_moe/tiny_nyud.yml"));
        MultiTaskReader reader = MultiTaskReader.open(
                DatasetLayout.NYUD, dir, Split.VAL, EnumSet.copyOf(c.tasks().tasks()));
        try (NDManager m = NDManager.newBaseManager()) {
            MultiTaskModel model = new MultiTaskModel(c).initialize(m);
            List<String> seen = new ArrayList<>();
            EvaluationResult one = new SplitEvaluator()
                    .run(
                            Predictor.of(model),
                            reader,
                            1,
                            p -> {},
                            (id, p) -> seen.add(id + p.spec().id()));
            EvaluationResult four = new SplitEvaluator().run(Predictor.of(model), reader, 4, p -> {}, null);
            // batched matrix products round differently, so the depth output may differ in the last bits
            one.metrics()
                    .forEach((t, metrics) -> metrics.forEach((k, v) -> assertEquals(
                            v, four.metrics().get(t).get(k), 1e-6 * Math.max(1, Math.abs(v)), t + "." + k)));
            assertEquals(reader.size() * c.tasks().size(), seen.size(), "every image and task reaches the sink");
            Map<Integer, long[]> semseg = one.expertUsage().get(Task.SEMSEG);
            assertEquals(c.moeLayers(), new ArrayList<>(semseg.keySet()));
            long tokens = (long) reader.size() * (c.numPatches() + 1);
            for (long[] counts : semseg.values()) {
                assertEquals(tokens * c.moeTopK(), Arrays.stream(counts).sum());
            }
            assertTrue(Double.isFinite(one.deltaM()));
        }
    }
}
