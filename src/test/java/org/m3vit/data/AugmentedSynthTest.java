package org.m3vit.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.data.synth.Synthesizer;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.Task;

/** The augmentation applied to real reader output of both layouts keeps every target in its domain. */
class AugmentedSynthTest {

    @TempDir
    static Path tmp;

    static Path nyud;
    static Path pascal;

    @BeforeAll
    static void generate() throws Exception {
        nyud = tmp.resolve("n");
        pascal = tmp.resolve("p");
        Synthesizer.run(new Synthesizer.Options(DatasetLayout.NYUD, 4, 30, 40, 2, 0, 2), nyud, i -> {});
        Synthesizer.run(new Synthesizer.Options(DatasetLayout.PASCAL, 6, 32, 32, 2, 0, 2), pascal, i -> {});
    }

    @Test
    void validationAtNativeSizeKeepsTargetsExactly() throws Exception {
        MultiTaskReader r = MultiTaskReader.open(DatasetLayout.NYUD, nyud, Split.TRAIN);
        Augmentation val = Augmentation.val(DatasetLayout.NYUD, 30, 40);
        for (int i = 0; i < r.size(); i++) {
            RawSample raw = r.read(i);
            Sample s = val.apply(raw, (Augmentation.Draw) null);
            int n = 30 * 40;
            int[] seg = s.targets().labels(Task.SEMSEG);
            float[] depth = s.targets().values(Task.DEPTH);
            float[] nrm = s.targets().values(Task.NORMALS);
            for (int p = 0; p < n; p++) {
                assertEquals((int) raw.target(Task.SEMSEG)[p], seg[p]);
                float d = raw.target(Task.DEPTH)[p];
                assertEquals(d == 0 ? Task.IGNORE : d, depth[p], 0f);
                for (int c = 0; c < 3; c++) {
                    float v = raw.target(Task.NORMALS)[3 * p + c];
                    boolean invalid = d == 0;
                    assertEquals(invalid ? Task.IGNORE : v, nrm[c * n + p], 1e-6);
                }
            }
        }
    }

    @Test
    void nyudTrainingScalesDepthAndKeepsDomains() throws Exception {
        MultiTaskReader r = MultiTaskReader.open(DatasetLayout.NYUD, nyud, Split.TRAIN);
        Augmentation aug = Augmentation.train(DatasetLayout.NYUD, 30, 40);
        for (int i = 0; i < r.size(); i++) {
            RawSample raw = r.read(i);
            for (int k = 0; k < 4; k++) {
                Augmentation.Draw d = new Augmentation.Draw(k % 2 == 1, 0, new double[] {1, 1.2, 1.5, 1.5}[k]);
                Sample s = aug.apply(raw, d);
                float[] depth = s.targets().values(Task.DEPTH);
                // The centre pixel is a fixed point of the centred scaling (no flip for k even).
                int c = 15 * 40 + 20;
                float rawCentre = raw.target(Task.DEPTH)[c];
                if (!d.flip && rawCentre != 0) {
                    assertEquals(rawCentre / d.scale, depth[c], 1e-5, "depth divided by the scale");
                }
                for (float v : depth) {
                    assertTrue(v == Task.IGNORE || (v > 0 && v < 12), "depth " + v);
                }
                for (int v : s.targets().labels(Task.SEMSEG)) {
                    assertTrue(v == Task.IGNORE || (v >= 0 && v < 40), "label " + v);
                }
                for (float e : s.targets().values(Task.EDGE)) {
                    assertTrue(e == 0f || e == 1f);
                }
                checkNormals(s);
            }
        }
    }

    @Test
    void pascalTrainingKeepsDomains() throws Exception {
        MultiTaskReader r = MultiTaskReader.open(DatasetLayout.PASCAL, pascal, Split.TRAIN);
        Augmentation aug = Augmentation.train(DatasetLayout.PASCAL, 24, 24);
        int partImages = 0;
        for (int i = 0; i < r.size(); i++) {
            RawSample raw = r.read(i);
            for (int k = 0; k < 3; k++) {
                Sample s = aug.apply(raw, new SplittableRandom(100 * i + k));
                for (int v : s.targets().labels(Task.SEMSEG)) {
                    assertTrue(v == Task.IGNORE || (v >= 0 && v <= 20), "semseg " + v);
                }
                int[] hp = s.targets().labels(Task.HUMAN_PARTS);
                boolean ignored = hp[0] == Task.IGNORE;
                for (int v : hp) {
                    assertTrue(ignored ? v == Task.IGNORE : v >= 0 && v <= 6, "human part " + v);
                }
                partImages += ignored ? 0 : 1;
                for (float v : s.targets().values(Task.SAL)) {
                    assertTrue(v == 0f || v == 1f);
                }
                checkNormals(s);
                for (float v : s.image()) {
                    assertTrue(
                            v >= (0 - 0.485f) / 0.229f - 1e-4 && v <= (1 - 0.406f) / 0.225f + 1e-4,
                            "normalised pixel " + v);
                }
            }
        }
        assertTrue(partImages > 0, "some augmented PASCAL samples have person parts");
    }

    private static void checkNormals(Sample s) {
        float[] n = s.targets().values(Task.NORMALS);
        int px = s.height() * s.width();
        for (int p = 0; p < px; p++) {
            if (n[p] == Task.IGNORE) {
                assertEquals(Task.IGNORE, n[px + p]);
                assertEquals(Task.IGNORE, n[2 * px + p]);
            } else {
                double len = Math.sqrt(n[p] * n[p] + n[px + p] * n[px + p] + n[2 * px + p] * n[2 * px + p]);
                assertEquals(1.0, len, 1e-4);
            }
        }
    }
}
