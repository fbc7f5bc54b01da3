package org.m3vit.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.cli.Main;
import org.m3vit.eval.EvaluationResult;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.Task;

/**
 * spark eval's metrics equal {@code m3vit eval}'s on the same tiny synthetic PASCAL split (every task: class
 * maps, saliency, normals, edges), with the split cut into more partitions than one batch each.
 */
class SparkEvalTest {

    @TempDir
    Path dir;

    @AfterAll
    static void closePredictors() {
        ExecutorPredictors.closeAll();
    }

    @Test
    void metricsEqualSingleProcessEval() throws Exception {
        Path data = dir.resolve("data");
        assertEquals(
                0,
                Main.run(
                        "synth",
                        "--layout",
                        "pascal",
                        "--n",
                        "14",
                        "--size",
                        "48x64",
                        "--seed",
                        "11",
                        "--split-val",
                        "0.5",
                        "--threads",
                        "1",
                        "--out",
                        data.toString()));
        Path w = Fixtures.weights(dir, "eval-w.safetensors");
        Path single = dir.resolve("single");
        assertEquals(
                0,
                Main.run(
                        "eval",
                        "--weights",
                        w.toString(),
                        "--data-root",
                        data.toString(),
                        "--out",
                        single.toString(),
                        "--batch-size",
                        "2",
                        "--threads",
                        "1"));
        JsonObject ref = JsonParser.parseString(Files.readString(single.resolve("metrics.json")))
                .getAsJsonObject();

        EvaluationResult r;
        SparkSession spark = Sessions.start("test", "local[2]");
        try {
            // 7 images in batches of 2 over 3 partitions: [0,4) [4,6) [6,7)
            r = SparkEval.run(spark, ModelSource.of(w, null, 1, true), DatasetLayout.PASCAL, data.toString(), 3, 2);
        } finally {
            spark.stop();
        }
        assertEquals(5, r.metrics().size());
        int compared = 0;
        for (Map.Entry<Task, Map<String, Double>> e : r.metrics().entrySet()) {
            JsonObject want = ref.getAsJsonObject(e.getKey().id());
            for (Map.Entry<String, Double> m : e.getValue().entrySet()) {
                double expected = want.get(m.getKey()).getAsDouble();
                double tol = m.getKey().equals("mIoU") ? 1e-9 : 1e-6 * Math.max(1, Math.abs(expected));
                assertEquals(expected, m.getValue(), tol, e.getKey().id() + "." + m.getKey());
                compared++;
            }
        }
        assertTrue(compared >= 11, "every metric of every task compared: " + compared);
        assertEquals(ref.get("delta_m").getAsDouble(), r.deltaM(), 1e-6);
    }

    @Test
    void rangesAreWholeBatchesCoveringTheSplit() {
        assertEquals(List.of("0-4", "4-7"), show(SparkEval.ranges(7, 2, 2)));
        assertEquals(List.of("0-4", "4-6", "6-7"), show(SparkEval.ranges(7, 2, 3)));
        assertEquals(List.of("0-3"), show(SparkEval.ranges(3, 8, 4)));
        assertEquals(List.of(), show(SparkEval.ranges(0, 8, 4)));
    }

    private static List<String> show(List<int[]> ranges) {
        return ranges.stream().map(r -> r[0] + "-" + r[1]).toList();
    }
}
