package org.m3vit.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.cli.Main;
import org.m3vit.data.MultiTaskReader;
import org.m3vit.data.RawSample;
import org.m3vit.data.Split;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.Task;

class TrivialBaselineTest {

    @Test
    void constantPredictorsScoreAsComputedByHand(@TempDir Path dir) throws Exception {
        Path root = dir.resolve("pascal");
        assertEquals(
                0,
                Main.run(
                        "synth",
                        "--layout",
                        "pascal",
                        "--n",
                        "10",
                        "--size",
                        "32x32",
                        "--seed",
                        "4",
                        "--out",
                        root.toString(),
                        "--split-val",
                        "0.4"));
        MultiTaskReader train = MultiTaskReader.open(DatasetLayout.PASCAL, root, Split.TRAIN);
        MultiTaskReader val = MultiTaskReader.open(DatasetLayout.PASCAL, root, Split.VAL);
        TrivialBaseline baseline = TrivialBaseline.fit(train);

        // the fitted semseg class is the train split's most frequent valid label
        long[] trainHist = new long[21];
        for (int i = 0; i < train.size(); i++) {
            for (float v : train.read(i).target(Task.SEMSEG)) {
                if (v != Task.IGNORE) {
                    trainHist[(int) v]++;
                }
            }
        }
        int majority = 0;
        for (int c = 1; c < 21; c++) {
            majority = trainHist[c] > trainHist[majority] ? c : majority;
        }
        assertEquals(majority, (int) baseline.constant(Task.SEMSEG)[0]);

        // predicting class c everywhere: IoU_c = n_c / N_valid on val, every other class 0
        long nc = 0;
        long valid = 0;
        for (int i = 0; i < val.size(); i++) {
            RawSample s = val.read(i);
            for (float v : s.target(Task.SEMSEG)) {
                if (v != Task.IGNORE) {
                    valid++;
                    nc += (int) v == majority ? 1 : 0;
                }
            }
        }
        Map<Task, Map<String, Double>> m = baseline.evaluate(val);
        assertEquals((double) nc / valid / 21, m.get(Task.SEMSEG).get("mIoU"), 1e-12);
        for (Task t : DatasetLayout.PASCAL.tasks()) {
            String main = t.spec().mainMetric().key();
            assertTrue(Double.isFinite(m.get(t).get(main)), t.id() + " " + m.get(t));
        }
        // the mean normal is better than a random direction (90° on average)
        assertTrue(m.get(Task.NORMALS).get("mean") < 90, m.get(Task.NORMALS).toString());
    }
}
