package org.m3vit.generalist.evidence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.generalist.GeneralistArtifact;
import org.m3vit.generalist.GeneralistConfig;
import org.m3vit.generalist.GeneralistFixtures;
import org.m3vit.generalist.OneThread;
import org.m3vit.generalist.corpus.MultimodalCorpus;
import org.m3vit.generalist.task.GeneralistTask;
import org.m3vit.generalist.train.GeneralistTraining;
import org.m3vit.generalist.train.TaskSampler;
import org.m3vit.nn.StateDict;
import org.m3vit.train.RunLayout;

/** Held-out classes, zero-shot evaluation (no updates), prompt tuning (frozen encoder) and fine-tuning. */
@ExtendWith(OneThread.class)
class AdaptationTest {

    @TempDir
    static Path data;

    @TempDir
    static Path runs;

    static Path weights;
    static List<String> novel;

    @BeforeAll
    static void trainWithHeldOutClasses() throws IOException {
        GeneralistFixtures.corpus(data, 48, 16, 3);
        try (NDManager m = NDManager.newBaseManager();
                GeneralistFixtures.Setup s = GeneralistFixtures.setup(GeneralistFixtures.tiny(), data, m)) {
            List<String> classes = s.corpus().imageClasses();
            int[] val = GeneralistTask.get("image_cls").labels(s.corpus(), MultimodalCorpus.Split.VAL);
            novel = List.of(classes.get(val[0]), classes.get(val[1] == val[0] ? val[2] : val[1]));
        }
        GeneralistConfig config = GeneralistFixtures.tiny(
                "train.epochs",
                1,
                "train.steps_per_epoch",
                6,
                "train.val_items",
                8,
                "train.hold_out",
                Map.of("image_cls", novel));
        Path run = runs.resolve("run");
        GeneralistTraining.run(config, new GeneralistTraining.Options(data, run, null, null, true), x -> {}, x -> {});
        weights = new RunLayout(run).bestWeights();
    }

    static Map<String, float[]> snapshot(Map<String, Parameter> p) {
        Map<String, float[]> out = new LinkedHashMap<>();
        p.forEach((k, v) -> out.put(k, v.getArray().toFloatArray()));
        return out;
    }

    @Test
    void heldOutClassesAreNeverSampledAndBadNamesAreRejected() throws IOException {
        GeneralistConfig config = GeneralistFixtures.tiny("train.hold_out", Map.of("image_cls", novel));
        try (NDManager m = NDManager.newBaseManager();
                GeneralistFixtures.Setup s = GeneralistFixtures.setup(config, data, m)) {
            GeneralistTask task = GeneralistTask.get("image_cls");
            int[] labels = task.labels(s.corpus(), MultimodalCorpus.Split.TRAIN);
            int[] pool = TaskSampler.eligible(config, s.corpus(), task);
            assertTrue(pool.length > 0);
            for (int i : pool) {
                assertFalse(novel.contains(s.corpus().imageClasses().get(labels[i])));
            }
            long kept = java.util.Arrays.stream(labels)
                    .filter(l -> !novel.contains(s.corpus().imageClasses().get(l)))
                    .count();
            assertEquals(kept, pool.length);
            GeneralistConfig bad =
                    GeneralistFixtures.tiny("train.hold_out", Map.of("image_cls", List.of("pink whale")));
            InvalidInputException e =
                    assertThrows(InvalidInputException.class, () -> TaskSampler.eligible(bad, s.corpus(), task));
            assertTrue(e.getMessage().startsWith("train.hold_out.image_cls:"), e.getMessage());
            GeneralistConfig half = GeneralistFixtures.tiny("train.data_fraction", 0.25);
            assertEquals((int) Math.ceil(0.25 * labels.length), TaskSampler.eligible(half, s.corpus(), task).length);
            GeneralistConfig mlm = GeneralistFixtures.tiny("train.hold_out", Map.of("mlm", List.of("x")));
            e = assertThrows(
                    InvalidInputException.class,
                    () -> TaskSampler.eligible(mlm, s.corpus(), GeneralistTask.get("mlm")));
            assertTrue(e.getMessage().contains("not a classification task"), e.getMessage());
        }
    }

    @Test
    void zeroShotUpdatesNothing() throws IOException {
        try (NDManager m = NDManager.newBaseManager();
                GeneralistArtifact.Loaded loaded = GeneralistArtifact.load(weights, m)) {
            var ctx = Contexts.of(loaded, data, m);
            Map<String, float[]> before = snapshot(StateDict.parameters(loaded.model()));
            ZeroShot.Result r = ZeroShot.run(ctx, "image_cls", novel, MultimodalCorpus.Split.VAL, 1000);
            assertTrue(r.novelItems() >= 2);
            for (String k : List.of("novel_top1", "novel_top1_all")) {
                double v = r.metrics().get(k);
                assertTrue(v >= 0 && v <= 1, k + " " + v);
            }
            assertTrue(r.metrics().get("novel_top1") >= r.metrics().get("novel_top1_all"));
            Map<String, float[]> after = snapshot(StateDict.parameters(loaded.model()));
            before.forEach((k, v) -> assertArrayEquals(v, after.get(k), k));
        }
    }

    @Test
    void promptTuningLeavesTheFrozenEncoderUnchanged() throws IOException {
        try (NDManager m = NDManager.newBaseManager();
                GeneralistArtifact.Loaded loaded = GeneralistArtifact.load(weights, m)) {
            var ctx = Contexts.of(loaded, data, m);
            Map<String, float[]> before = snapshot(StateDict.parameters(loaded.model()));
            var tuned = new org.m3vit.generalist.task.TaskContext[1];
            PromptTuning.Result r = PromptTuning.run(
                    loaded,
                    ctx,
                    new PromptTuning.Options(PromptTuning.Mode.PROMPT, "image_cls", 2, 0.5, 4, 4, 1e-2f, 0),
                    runs.resolve("pt"),
                    m,
                    tuned);
            assertTrue(r.trainable() > 0 && r.frozen() > r.trainable());
            Map<String, float[]> after = snapshot(StateDict.parameters(loaded.model()));
            int changed = 0;
            for (var e : before.entrySet()) {
                boolean same = java.util.Arrays.equals(e.getValue(), after.get(e.getKey()));
                if (!PromptTuning.trainedByPrompting(e.getKey())) {
                    assertTrue(same, e.getKey() + " is frozen but changed");
                } else if (!same) {
                    changed++;
                }
            }
            assertTrue(changed > 0, "the norms and temperatures train");
            ZeroShot.Result z = ZeroShot.run(tuned[0], "image_cls", novel, MultimodalCorpus.Split.VAL, 1000);
            assertTrue(Double.isFinite(z.metrics().get("novel_top1")));
        }
        try (NDManager m = NDManager.newBaseManager();
                GeneralistArtifact.Loaded loaded = GeneralistArtifact.load(weights, m)) {
            var ctx = Contexts.of(loaded, data, m);
            float[] fc2 = loaded.model()
                    .blocks()
                    .get(0)
                    .getParameters()
                    .valueAt(0)
                    .getArray()
                    .toFloatArray();
            var tuned = new org.m3vit.generalist.task.TaskContext[1];
            PromptTuning.run(
                    loaded,
                    ctx,
                    new PromptTuning.Options(PromptTuning.Mode.FULL, "image_cls", 2, 0.5, 4, 4, 1e-2f, 0),
                    runs.resolve("ft"),
                    m,
                    tuned);
            float[] after = loaded.model()
                    .blocks()
                    .get(0)
                    .getParameters()
                    .valueAt(0)
                    .getArray()
                    .toFloatArray();
            assertFalse(java.util.Arrays.equals(fc2, after), "full fine-tuning updates the encoder");
        }
    }
}
