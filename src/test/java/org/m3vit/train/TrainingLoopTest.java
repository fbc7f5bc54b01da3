package org.m3vit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.data.MultiTaskReader;
import org.m3vit.data.Split;
import org.m3vit.data.synth.Synthesizer;
import org.m3vit.model.MultiTaskModel;
import org.m3vit.task.DatasetLayout;

/** The loop emits its events in order, and writes nothing itself: files come from listeners. */
class TrainingLoopTest {

    @TempDir
    static Path data;

    @BeforeAll
    static void synthesize() throws IOException {
        Synthesizer.run(new Synthesizer.Options(DatasetLayout.PASCAL, 12, 32, 32, 3, 0.34, 2), data, i -> {});
    }

    /** Writes down every event it hears, and keeps the epoch records. */
    static final class Recorder implements TrainingLoopListener {
        final List<String> events = new ArrayList<>();
        final List<EpochRecord> records = new ArrayList<>();

        @Override
        public void onTrainingStart(TrainingStart s) {
            events.add("start " + s.epochs() + " epochs of " + s.stepsPerEpoch() + " from step " + s.globalStep());
        }

        @Override
        public void onEpochStart(int epoch) {
            events.add("epoch " + epoch);
        }

        @Override
        public void onStep(StepEnd s) {
            assertEquals(5, s.result().losses().size(), "one loss per task");
            events.add("step " + s.epoch() + "." + s.step() + " = " + s.globalStep());
        }

        @Override
        public void onEpochEnd(EpochEnd end) {
            records.add(end.record());
            events.add(
                    "end " + end.record().epoch() + (end.newBest() ? " best" : "") + ", state at " + end.state().epoch);
        }

        @Override
        public void onTrainingEnd(Checkpoint.State state) {
            events.add("done after " + state.epoch);
        }
    }

    @Test
    void listenersHearTheEventsInOrder(@TempDir Path tmp) throws IOException {
        TrainConfig config = TrainConfig.load(TrainerTest.CONFIG, TrainerTest.tiny(2));
        RunLayout run = new RunLayout(tmp.resolve("run"));
        Recorder recorder = new Recorder();
        try (NDManager manager = NDManager.newBaseManager()) {
            MultiTaskModel model = TrainingRun.newModel(config, manager);
            Validator validator = new EvaluatorValidator(
                    MultiTaskReader.open(
                            DatasetLayout.PASCAL,
                            data,
                            Split.VAL,
                            EnumSet.copyOf(config.model().tasks().tasks())),
                    4);
            TrainingLoop<?> loop = TrainingLoop.multiTask(
                            config, model, TrainingRun.trainSet(config, data), validator, run, manager)
                    .addListener(recorder);
            loop.fit(1);
            loop.fit(); // continues where the first fit stopped, as a resume does
        }
        // 8 train images in batches of 4: 2 steps per epoch. The first validated epoch is always the best so
        // far; the second is when its Δm is higher.
        EpochRecord second = recorder.records.get(1);
        boolean secondBest = second.deltaM() > recorder.records.get(0).deltaM();
        assertEquals(
                List.of(
                        "start 2 epochs of 2 from step 0",
                        "epoch 1",
                        "step 1.1 = 1",
                        "step 1.2 = 2",
                        "end 1 best, state at 1",
                        "done after 1",
                        "start 2 epochs of 2 from step 2",
                        "epoch 2",
                        "step 2.1 = 3",
                        "step 2.2 = 4",
                        "end 2" + (secondBest ? " best" : "") + ", state at 2",
                        "done after 2"),
                recorder.events);
        assertEquals(2, second.epoch());
        assertEquals(4L, second.globalStep());
        assertTrue(second.deltaM() != null && second.val().get("semseg").containsKey("mIoU"), second.toString());
        try (Stream<Path> files = Files.list(run.dir())) {
            assertEquals(0, files.count(), "without listeners the loop writes no file");
        }
    }
}
