package org.m3vit.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
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

/**
 * Scoring a split in parts and merging the (serialised) parts gives the single pass's metrics: every task
 * of PASCAL (class maps, saliency, normals, edges), so every accumulator's merge is exercised.
 */
class PartialEvaluationTest {

    @TempDir
    Path dir;

    @Test
    void partsMergeIntoTheWholeSplitsMetrics() throws Exception {
        assertEquals(
                0,
                CliRun.of(
                                "synth",
                                "--layout",
                                "pascal",
                                "--n",
                                "10",
                                "--size",
                                "48x64",
                                "--seed",
                                "5",
                                "--split-val",
                                "0.5",
                                "--threads",
                                "1",
                                "--out",
                                dir.toString())
                        .exit);
        ModelConfig c = ConfigLoader.load(Path.of("configs/synth/vit_moe/tiny_pascal.yml"));
        MultiTaskReader reader = MultiTaskReader.open(
                DatasetLayout.PASCAL, dir, Split.VAL, EnumSet.copyOf(c.tasks().tasks()));
        int n = reader.size();
        try (NDManager m = NDManager.newBaseManager()) {
            Predictor p = Predictor.of(new MultiTaskModel(c).initialize(m));
            SplitEvaluator ev = new SplitEvaluator();
            EvaluationResult whole = ev.run(p, reader, 2, s -> {}, null);
            // parts start at multiples of the batch size, so every forward pass sees the same batch
            PartialEvaluation merged = roundTrip(ev.runRange(p, reader, 0, 2, 2, s -> {}, null));
            merged.merge(roundTrip(ev.runRange(p, reader, 2, n, 2, s -> {}, null)));
            merged.merge(ev.runRange(p, reader, n, n, 2, s -> {}, null)); // an empty part changes nothing
            EvaluationResult parts = merged.result();
            assertEquals(whole.metrics().keySet(), parts.metrics().keySet());
            whole.metrics()
                    .forEach((t, metrics) -> metrics.forEach((k, v) -> {
                        double tol = k.equals("mIoU") ? 1e-9 : 1e-6 * Math.max(1, Math.abs(v));
                        assertEquals(v, parts.metrics().get(t).get(k), tol, t + "." + k);
                    }));
            assertEquals(whole.images(), parts.images());
            assertEquals(whole.deltaM(), parts.deltaM(), 1e-9);
            whole.expertUsage()
                    .forEach((t, layers) -> layers.forEach((layer, counts) ->
                            assertArrayEquals(counts, parts.expertUsage().get(t).get(layer), t + " block " + layer)));
        }
    }

    @Test
    void partsOfOtherTasksDoNotMerge() {
        PartialEvaluation a = new PartialEvaluation(DatasetLayout.NYUD, List.of(Task.SEMSEG));
        PartialEvaluation b = new PartialEvaluation(DatasetLayout.NYUD, List.of(Task.SEMSEG, Task.DEPTH));
        assertThrows(IllegalArgumentException.class, () -> a.merge(b));
        TaskScorer semseg = new TaskScorer(Task.SEMSEG.spec(), DatasetLayout.NYUD);
        assertThrows(
                IllegalArgumentException.class,
                () -> semseg.merge(new TaskScorer(Task.DEPTH.spec(), DatasetLayout.NYUD)));
    }

    private static PartialEvaluation roundTrip(PartialEvaluation p) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(p);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (PartialEvaluation) in.readObject();
        }
    }
}
