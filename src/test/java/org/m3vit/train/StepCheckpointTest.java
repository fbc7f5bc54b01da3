package org.m3vit.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.data.synth.Synthesizer;
import org.m3vit.io.SafetensorsFile;
import org.m3vit.io.Tensor;
import org.m3vit.model.MultiTaskModel;
import org.m3vit.nn.StateDict;
import org.m3vit.task.DatasetLayout;

/**
 * {@code --checkpoint-every}: a run that dies within an epoch resumes from its last step checkpoint and
 * ends bit-identical to the uninterrupted run: weights, the metrics lines (but for wall time) and the
 * expert usage, which the step checkpoint carries for the unfinished epoch.
 */
class StepCheckpointTest {

    @TempDir
    static Path data;

    @BeforeAll
    static void synthesize() throws IOException {
        Synthesizer.run(new Synthesizer.Options(DatasetLayout.PASCAL, 12, 32, 32, 3, 0.34, 2), data, i -> {});
    }

    static TrainConfig config() throws IOException {
        Map<String, Object> o = TrainerTest.tiny(2);
        o.put("trBatch", 2); // 8 train images: 4 steps per epoch, 8 in all
        return TrainConfig.load(TrainerTest.CONFIG, o);
    }

    /** A crash: the process dies right after this global step (its onStep), before anything else. */
    static final class Crash implements TrainingLoopListener {
        final long at;

        Crash(long at) {
            this.at = at;
        }

        @Override
        public void onStep(StepEnd s) {
            if (s.globalStep() == at) {
                throw new IllegalStateException("crash at step " + at);
            }
        }
    }

    @Test
    void resumeFromAStepCheckpointIsBitIdentical(@TempDir Path tmp) throws IOException {
        TrainConfig c = config();
        Path straight = tmp.resolve("straight");
        TrainingRun.run(c, new TrainingRun.Options(data, straight, null, null, false, false, null), s -> {}, s -> {});

        Path crashed = tmp.resolve("crashed");
        try (NDManager manager = NDManager.newBaseManager()) {
            MultiTaskModel model = TrainingRun.newModel(c, manager);
            TrainingLoop<?> loop = TrainingLoop.multiTask(
                            c, model, TrainingRun.trainSet(c, data), null, new RunLayout(crashed), manager)
                    .checkpointEvery(3);
            StandardListeners.of(loop, s -> {}, s -> {}).forEach(loop::addListener);
            loop.addListener(new Crash(7));
            assertThrows(IllegalStateException.class, loop::fit);
        }
        // step checkpoints after global steps 3 (epoch 1) and 6 (epoch 2, its step 2); epoch 1's end between
        Checkpoint.State s = Checkpoint.readState(new RunLayout(crashed).checkpointJson());
        assertEquals(1, s.epoch);
        assertEquals(2, s.epochStep);
        assertEquals(6, s.globalStep);
        assertEquals("weights-step00000006.safetensors", s.weights);
        assertEquals(2, s.partial.steps);
        try (Stream<Path> files = Files.list(crashed)) {
            List<String> names =
                    files.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(
                    List.of(
                            "checkpoint.json",
                            "expert_usage.json",
                            "metrics.jsonl",
                            "optimizer-step00000006.safetensors",
                            "weights-step00000006.safetensors"),
                    names,
                    "the previous checkpoints' files are gone, nothing partial is left");
        }

        TrainingRun.run(
                c,
                new TrainingRun.Options(data, crashed, crashed, null, false, false, null, 3, false),
                s2 -> {},
                s2 -> {});
        assertSameWeights(TrainerTest.weights(straight), TrainerTest.weights(crashed));
        assertEquals(withoutSeconds(straight), withoutSeconds(crashed));
        assertEquals(
                Files.readString(straight.resolve("expert_usage.json")),
                Files.readString(crashed.resolve("expert_usage.json")));
        Checkpoint.State end = Checkpoint.readState(new RunLayout(crashed).checkpointJson());
        assertEquals(0, end.epochStep);
        assertEquals("weights-epoch0002.safetensors", end.weights);
        assertFalse(Files.exists(crashed.resolve("weights-step00000006.safetensors")));
    }

    @Test
    void aTamperedStepCheckpointIsRefused(@TempDir Path tmp) throws IOException {
        Path json = Files.createDirectories(tmp.resolve("run")).resolve("checkpoint.json");
        String base = "{\"epoch\": 1, \"globalStep\": 6, \"weights\": \"weights-step00000006.safetensors\","
                + " \"optimizer\": \"optimizer-step00000006.safetensors\", \"seed\": 7";
        for (String bad : new String[] {
            base + ", \"epochStep\": 2}", // no partial totals
            base + ", \"epochStep\": 2, \"partial\": {\"steps\": 5, \"lossSums\": {}, \"expertCounts\": {}}}",
            base + ", \"epochStep\": -2}",
            "{\"epoch\": -2, \"globalStep\": 6, \"weights\": \"weights-epoch0001.safetensors\","
                    + " \"optimizer\": \"optimizer-epoch0001.safetensors\"}",
            base + ", \"bestEpoch\": 5}",
            base + ", \"epoch\": \"x\"}",
            "[1, 2]",
            "{\"epoch\": 1,",
        }) {
            Files.writeString(json, bad);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.readState(json));
            assertTrue(e.getMessage().startsWith(json.toString()), e.getMessage());
        }
    }

    /** A weight or optimizer value that is NaN or infinite fails the save before any file is written. */
    @Test
    void divergedWeightsNeverReachACheckpoint(@TempDir Path tmp) throws IOException {
        TrainConfig c = config();
        RunLayout run = new RunLayout(tmp.resolve("run"));
        try (NDManager manager = NDManager.newBaseManager()) {
            MultiTaskModel model = TrainingRun.newModel(c, manager);
            ParameterOptimizer opt = ParameterOptimizer.of(c, StateDict.parameters(model));
            Checkpoint.State s = new Checkpoint.State();
            s.epoch = 1;
            s.globalStep = 4;
            Checkpoint.save(run, TrainableModel.of(model), opt, s);
            Map<String, byte[]> before = new TreeMap<>();
            try (Stream<Path> files = Files.list(run.dir())) {
                for (Path p : files.toList()) {
                    before.put(p.getFileName().toString(), Files.readAllBytes(p));
                }
            }
            StateDict.parameters(model)
                    .get("decoders.sal.conv_0.weight")
                    .getArray()
                    .muli(Float.NaN);
            Checkpoint.State next = new Checkpoint.State();
            next.epoch = 2;
            next.globalStep = 8;
            TrainingDivergedException e = assertThrows(
                    TrainingDivergedException.class, () -> Checkpoint.save(run, TrainableModel.of(model), opt, next));
            assertTrue(e.getMessage().contains("decoders.sal.conv_0.weight"), e.getMessage());
            try (Stream<Path> files = Files.list(run.dir())) {
                List<Path> now = files.sorted().toList();
                assertEquals(
                        before.keySet(),
                        new TreeSet<>(now.stream()
                                .map(p -> p.getFileName().toString())
                                .toList()));
                for (Path p : now) {
                    assertArrayEquals(before.get(p.getFileName().toString()), Files.readAllBytes(p), p.toString());
                }
            }
        }
    }

    static List<String> withoutSeconds(Path run) throws IOException {
        return Files.readAllLines(run.resolve("metrics.jsonl")).stream()
                .map(l -> l.replaceAll(",\"seconds\":[0-9.eE+-]+", ""))
                .toList();
    }

    static void assertSameWeights(Path a, Path b) throws IOException {
        try (SafetensorsFile x = SafetensorsFile.open(a);
                SafetensorsFile y = SafetensorsFile.open(b)) {
            assertEquals(x.tensors().keySet(), y.tensors().keySet());
            for (String name : x.tensors().keySet()) {
                Tensor tx = x.read(name);
                Tensor ty = y.read(name);
                if (tx.isFloat()) {
                    assertArrayEquals(tx.floats(), ty.floats(), name);
                } else {
                    assertArrayEquals(tx.longs(), ty.longs(), name);
                }
            }
        }
    }
}
