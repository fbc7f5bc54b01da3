package org.m3vit.generalist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.generalist.corpus.MultimodalCorpus;
import org.m3vit.generalist.model.SequenceEncoder;
import org.m3vit.generalist.task.GeneralistTask;
import org.m3vit.generalist.task.TaskContext;
import org.m3vit.generalist.train.GeneralistTraining;
import org.m3vit.io.SafetensorsFile;
import org.m3vit.train.Checkpoint;
import org.m3vit.train.EpochRecord;
import org.m3vit.train.RunLayout;
import org.m3vit.train.TrainingLoopListener;

/**
 * A tiny generalist run through the project's training loop: every task's loss goes down and every task
 * ends above its chance level on the data it trained on; a run resumed from a checkpoint ends bit-identical
 * to the uninterrupted one; the best weights are an artifact that evaluates.
 */
@ExtendWith(OneThread.class)
class TrainingTest {

    @TempDir
    static Path data;

    @BeforeAll
    static void corpus() throws IOException {
        GeneralistFixtures.corpus(data, 64, 32, 11);
    }

    private static List<EpochRecord> records(Path run) throws IOException {
        return Files.readAllLines(new RunLayout(run).metricsLog()).stream()
                .map(l -> EpochRecord.parse(l, run.toString()))
                .toList();
    }

    @Test
    void everyTaskLearnsAboveChance(@TempDir Path tmp) throws IOException {
        GeneralistConfig config = GeneralistFixtures.tiny(
                "train.epochs", 4, "train.steps_per_epoch", 60, "train.val_items", 24, "train.batch_size", 12);
        Path run = tmp.resolve("run");
        GeneralistTraining.run(config, new GeneralistTraining.Options(data, run, null, null, true), s -> {}, s -> {});
        List<EpochRecord> r = records(run);
        assertEquals(4, r.size());
        for (String task : config.taskIds()) {
            double first = r.get(0).trainLoss().get(task);
            double last = r.get(3).trainLoss().get(task);
            assertTrue(last < first, task + ": training loss " + first + " → " + last);
        }
        assertTrue(Files.isRegularFile(new RunLayout(run).bestWeights()));
        // what the optimisation reached, on the items it trained on: above what ignoring the input gives
        try (NDManager manager = NDManager.newBaseManager();
                GeneralistArtifact.Loaded loaded =
                        GeneralistArtifact.load(new RunLayout(run).file(lastWeights(run)), manager)) {
            MultimodalCorpus corpus = MultimodalCorpus.open(data, loaded.tokenizer(), 24);
            TaskContext ctx = new TaskContext(
                    new SequenceEncoder(
                            loaded.model(),
                            new ParameterStore(manager, false),
                            loaded.tokenizer().speId(),
                            loaded.tokenizer().padId(),
                            null),
                    manager,
                    loaded.tokenizer(),
                    corpus);
            for (String id : config.taskIds()) {
                GeneralistTask task = GeneralistTask.get(id);
                String key = task.mainMetric().key();
                Map<String, Double> m = task.evaluate(ctx, MultimodalCorpus.Split.TRAIN, 48);
                Map<String, Double> chance = task.chance(corpus, MultimodalCorpus.Split.TRAIN, 48);
                String secondary = id.equals("caption") ? "cider" : key;
                assertTrue(
                        m.get(secondary) > chance.get(secondary),
                        id + " " + secondary + " " + m.get(secondary) + " vs chance " + chance.get(secondary));
            }
        }
    }

    private static String lastWeights(Path run) throws IOException {
        return Checkpoint.readState(new RunLayout(run).checkpointJson()).weights;
    }

    @Test
    void resumeIsBitExact(@TempDir Path tmp) throws IOException {
        GeneralistConfig config =
                GeneralistFixtures.tiny("train.epochs", 2, "train.steps_per_epoch", 6, "train.batch_size", 6);
        Path straight = tmp.resolve("straight");
        Path split = tmp.resolve("split");
        GeneralistTraining.run(
                config, new GeneralistTraining.Options(data, straight, null, null, false), s -> {}, s -> {});
        GeneralistTraining.run(config, new GeneralistTraining.Options(data, split, null, 1, false), s -> {}, s -> {});
        assertEquals(1, Checkpoint.readState(new RunLayout(split).checkpointJson()).epoch);
        GeneralistTraining.run(
                config, new GeneralistTraining.Options(data, split, split, null, false), s -> {}, s -> {});
        assertSameRun(straight, split);
        assertEquals(
                records(straight).get(1).trainLoss(), records(split).get(1).trainLoss(), "the same losses in epoch 2");
    }

    @Test
    void resumeFromAStepCheckpointMidEpochIsBitExact(@TempDir Path tmp) throws IOException {
        GeneralistConfig config =
                GeneralistFixtures.tiny("train.epochs", 2, "train.steps_per_epoch", 6, "train.batch_size", 6);
        Path straight = tmp.resolve("straight");
        Path killed = tmp.resolve("killed");
        GeneralistTraining.run(
                config, new GeneralistTraining.Options(data, straight, null, null, false), s -> {}, s -> {});
        // a step checkpoint after global step 8 (step 2 of epoch 2), then a crash at step 10
        TrainingLoopListener crash = new TrainingLoopListener() {
            @Override
            public void onStep(StepEnd step) {
                if (step.globalStep() == 10) {
                    throw new IllegalStateException("killed at step 10");
                }
            }
        };
        assertThrows(
                IllegalStateException.class,
                () -> GeneralistTraining.run(
                        config,
                        new GeneralistTraining.Options(data, killed, null, null, false, 4),
                        s -> {},
                        s -> {},
                        List.of(crash)));
        Checkpoint.State mid = Checkpoint.readState(new RunLayout(killed).checkpointJson());
        assertEquals(1, mid.epoch);
        assertEquals(2, mid.epochStep, "the checkpoint is the one inside epoch 2");
        GeneralistTraining.run(
                config, new GeneralistTraining.Options(data, killed, killed, null, false, 4), s -> {}, s -> {});
        assertSameRun(straight, killed);
    }

    /** The two runs end with bit-identical weights and optimizer state, and the same epoch-2 losses. */
    @Test
    void aSecondRunIntoTheSameDirectoryIsRefusedUnlessOverwritten(@TempDir Path tmp) throws IOException {
        GeneralistConfig config =
                GeneralistFixtures.tiny("train.epochs", 2, "train.steps_per_epoch", 3, "train.batch_size", 6);
        Path fresh = tmp.resolve("fresh");
        Path reused = tmp.resolve("reused");
        GeneralistTraining.run(
                config, new GeneralistTraining.Options(data, fresh, null, null, false), s -> {}, s -> {});
        GeneralistConfig first = GeneralistFixtures.tiny(
                "train.epochs", 2, "train.steps_per_epoch", 3, "train.batch_size", 6, "train.seed", 5);
        GeneralistTraining.run(
                first, new GeneralistTraining.Options(data, reused, null, null, false), s -> {}, s -> {});

        InvalidInputException refused = assertThrows(
                InvalidInputException.class,
                () -> GeneralistTraining.run(
                        config, new GeneralistTraining.Options(data, reused, null, null, false), s -> {}, s -> {}));
        assertTrue(refused.getMessage().contains("already holds a training run"), refused.getMessage());
        assertTrue(refused.getMessage().contains(reused.toString()), refused.getMessage());
        // overwriting with a corpus that does not open fails before anything of the old run is deleted
        assertThrows(
                Exception.class,
                () -> GeneralistTraining.run(
                        config,
                        new GeneralistTraining.Options(tmp.resolve("no-corpus"), reused, null, null, false, 0, true),
                        s -> {},
                        s -> {}));
        assertTrue(Files.isRegularFile(new RunLayout(reused).checkpointJson()), "the old run is still there");
        // overwritten, the directory holds exactly what a fresh run writes
        GeneralistTraining.run(
                config, new GeneralistTraining.Options(data, reused, null, null, false, 0, true), s -> {}, s -> {});
        assertSameRun(fresh, reused);
        assertEquals(2, records(reused).size(), "metrics.jsonl holds the new run's epochs only");
        assertThrows(
                IllegalArgumentException.class,
                () -> new GeneralistTraining.Options(data, reused, reused, null, false, 0, true));
    }

    private static void assertSameRun(Path straight, Path split) throws IOException {
        Checkpoint.State a = Checkpoint.readState(new RunLayout(straight).checkpointJson());
        Checkpoint.State b = Checkpoint.readState(new RunLayout(split).checkpointJson());
        assertEquals(a.globalStep, b.globalStep);
        assertEquals(a.optimizerSteps, b.optimizerSteps);
        for (String[] f : new String[][] {{a.weights, b.weights}, {a.optimizer, b.optimizer}}) {
            try (SafetensorsFile x = SafetensorsFile.open(straight.resolve(f[0]));
                    SafetensorsFile y = SafetensorsFile.open(split.resolve(f[1]))) {
                assertEquals(x.tensors().keySet(), y.tensors().keySet());
                for (String name : x.tensors().keySet()) {
                    assertArrayEquals(x.floats(name), y.floats(name), name + " differs after resume");
                }
            }
        }
        assertEquals(
                records(straight).get(1).trainLoss(), records(split).get(1).trainLoss(), "the same losses in epoch 2");
    }
}
