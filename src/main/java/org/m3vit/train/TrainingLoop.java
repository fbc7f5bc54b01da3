package org.m3vit.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.m3vit.data.MultiTaskDataset;
import org.m3vit.data.PrefetchLoader;
import org.m3vit.data.SampleBatch;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.eval.MetricsSummary;
import org.m3vit.model.MultiTaskModel;
import org.m3vit.nn.StateDict;
import org.m3vit.task.Task;

/**
 * The training loop: epochs of batches, each one {@link TrainingStep} at the schedule's rate, per-epoch
 * validation, and the run's state (epochs, steps, best Δm). Everything else a run produces is done by its
 * {@link TrainingLoopListener}s ({@link StandardListeners} are what {@code m3vit train} uses), so the loop
 * itself writes no file. Not DJL's {@code ai.djl.training.Trainer}: it trains task pathways one at a time
 * with its own optimizer, which DJL's trainer cannot.
 *
 * <p>Determinism: the engine is reseeded from (seed, epoch, step) before every step, data order comes from
 * (seed, epoch) and augmentation from (seed, epoch, index), so a run resumed from an epoch checkpoint takes
 * exactly the steps the uninterrupted run took. A step checkpoint ({@link #checkpointEvery}) also saves the
 * epoch's running totals and how many of its batches were taken; the resumed epoch starts at the next
 * batch of the same order, so it too ends bit-identical.
 *
 * <p>Divergence never reaches a file: after every epoch (and before every step checkpoint) the parameters
 * and the optimizer state are checked to be finite, before any listener runs.
 */
public final class TrainingLoop {

    private final TrainConfig config;
    private final MultiTaskModel model;
    private final MultiTaskDataset trainSet;
    private final Validator validator;
    private final RunLayout run;
    private final NDManager manager;
    private final ParameterOptimizer optimizer;
    private final TrainingStep step;
    private final Schedule schedule;
    private final long stepsPerEpoch;
    private final List<TrainingLoopListener> listeners = new ArrayList<>();
    private Consumer<String> log = s -> {};
    private int checkpointEvery;
    private Checkpoint.State state = new Checkpoint.State();

    /**
     * @param validator null to skip validation (no Δm, no best weights)
     * @param run the run directory: where {@link #resume} looks, and what the listeners write to
     */
    public TrainingLoop(
            TrainConfig config,
            MultiTaskModel model,
            MultiTaskDataset trainSet,
            Validator validator,
            RunLayout run,
            NDManager manager) {
        this.config = config;
        this.model = model;
        this.trainSet = trainSet;
        this.validator = validator;
        this.run = run;
        this.manager = manager;
        Map<String, Parameter> parameters = StateDict.parameters(model);
        List<Parameter> trainable = enableGradients(parameters);
        this.optimizer = ParameterOptimizer.of(config, parameters);
        this.step = new MultiTaskStep(config, model, parameters, trainable, optimizer, manager);
        this.stepsPerEpoch = (trainSet.size() + config.trBatch() - 1) / config.trBatch();
        if (stepsPerEpoch == 0) {
            throw new InvalidInputException(InvalidInputException.Kind.FIELD, "trainSet", "the train split is empty");
        }
        this.schedule =
                Schedule.of(config.scheduler(), config.lr(), config.epochs(), stepsPerEpoch, config.warmupSteps());
        state.seed = config.seed();
        state.configHash = config.hash();
    }

    /** Marks every parameter that requires a gradient as recording one; those are the ones that train. */
    private static List<Parameter> enableGradients(Map<String, Parameter> parameters) {
        List<Parameter> trainable = new ArrayList<>();
        for (Parameter p : parameters.values()) {
            if (p.requiresGradient()) {
                p.getArray().setRequiresGradient(true);
                trainable.add(p);
            }
        }
        if (trainable.isEmpty()) {
            throw new InvalidInputException(
                    InvalidInputException.Kind.FIELD, "model", "the model has no trainable parameters");
        }
        return trainable;
    }

    /** Adds a listener; listeners are called in the order they were added. */
    public TrainingLoop addListener(TrainingLoopListener listener) {
        listeners.add(listener);
        return this;
    }

    /**
     * Also calls {@link TrainingLoopListener#onStepCheckpoint} every {@code steps} global steps within an
     * epoch (0 = only at epoch ends, the default).
     */
    public TrainingLoop checkpointEvery(int steps) {
        if (steps < 0) {
            throw InvalidInputException.field("checkpointEvery", "must be >= 0 (0 = epoch ends only), got " + steps);
        }
        this.checkpointEvery = steps;
        return this;
    }

    /** The loop's own notices (resume, a changed configuration). */
    public TrainingLoop onLog(Consumer<String> log) {
        this.log = log;
        return this;
    }

    public MultiTaskModel model() {
        return model;
    }

    /** The optimizer whose state checkpoints hold. */
    public ParameterOptimizer optimizer() {
        return optimizer;
    }

    public RunLayout run() {
        return run;
    }

    /** Continues from a checkpoint ({@code checkpoint.json} or its run directory). */
    public TrainingLoop resume(Path location) throws IOException {
        Path json = Checkpoint.jsonOf(location);
        state = Checkpoint.restore(json, model, optimizer, manager);
        if (!config.hash().equals(state.configHash)) {
            log.accept("warning: the configuration differs from the checkpoint's; continuing with the new one");
            state.configHash = config.hash();
        }
        if (state.seed != config.seed()) {
            throw InvalidInputException.key(
                    "seed",
                    "the checkpoint " + json + " was trained with seed " + state.seed + " but this run has seed "
                            + config.seed() + "; resume with the checkpoint's seed");
        }
        if (state.epoch > config.epochs()) {
            throw InvalidInputException.file(
                    json,
                    "the checkpoint has " + state.epoch + " completed epochs, more than the run's " + config.epochs()
                            + " (epochs)");
        }
        if (state.epochStep >= stepsPerEpoch) {
            throw InvalidInputException.file(
                    json,
                    "the checkpoint is at step " + state.epochStep + " of an epoch that has only " + stepsPerEpoch
                            + " steps with this dataset and batch size");
        }
        log.accept("resumed from " + json + " after epoch " + state.epoch
                + (state.epochStep > 0 ? " step " + state.epochStep + " of epoch " + (state.epoch + 1) : "")
                + " (step " + state.globalStep + ")");
        return this;
    }

    public Checkpoint.State state() {
        return state;
    }

    /** What a finished run reports: its state and its run directory. */
    public record Result(Checkpoint.State state, RunLayout run) {}

    public Result result() {
        return new Result(state, run);
    }

    /** Trains until {@code config.epochs()} epochs are complete. */
    public void fit() throws IOException {
        fit(config.epochs());
    }

    /**
     * Trains until {@code untilEpoch} (≤ config.epochs()) epochs are complete; the schedule still spans
     * config.epochs(), so a later {@link #resume} continues the same run.
     */
    public void fit(int untilEpoch) throws IOException {
        Files.createDirectories(run.dir());
        List<Task> tasks = model.config().tasks().tasks();
        for (TrainingLoopListener l : listeners) {
            l.onTrainingStart(new TrainingLoopListener.TrainingStart(config.epochs(), stepsPerEpoch, state.globalStep));
        }
        int resumeStep = state.epochStep;
        for (int epoch = state.epoch; epoch < Math.min(untilEpoch, config.epochs()); epoch++) {
            long epochStart = System.nanoTime();
            for (TrainingLoopListener l : listeners) {
                l.onEpochStart(epoch + 1);
            }
            EpochTotals totals = EpochTotals.of(tasks, resumeStep > 0 ? state.partial : null);
            float lr = schedule.lr(state.globalStep);
            int step = resumeStep;
            resumeStep = 0;
            try (PrefetchLoader loader = new PrefetchLoader(
                            trainSet, epoch, config.trBatch(), true, false, config.workers(), 2)
                    .startingAt(step)) {
                for (SampleBatch batch : loader) {
                    lr = schedule.lr(state.globalStep);
                    Engine.getInstance().setRandomSeed(stepSeed(config.seed(), epoch, step));
                    StepResult result = runStep(batch, epoch, step, lr);
                    totals.add(result);
                    step++;
                    state.globalStep++;
                    for (TrainingLoopListener l : listeners) {
                        l.onStep(new TrainingLoopListener.StepEnd(epoch + 1, step, state.globalStep, lr, result));
                    }
                    if (checkpointEvery > 0 && state.globalStep % checkpointEvery == 0 && step < stepsPerEpoch) {
                        state.epochStep = step;
                        state.partial = totals.progress();
                        Checkpoint.requireFinite(model, optimizer, state);
                        for (TrainingLoopListener l : listeners) {
                            l.onStepCheckpoint(state);
                        }
                    }
                }
            }
            state.epoch = epoch + 1;
            state.epochStep = 0;
            state.partial = null;
            Checkpoint.requireFinite(model, optimizer, state);
            boolean validates = validator != null && (!config.evalFinal10EpochsOnly() || epoch >= config.epochs() - 10);
            Validation validation = validates ? validate(epoch) : new Validation(null, null);
            boolean newBest = validation.deltaM() != null && validation.deltaM() > state.bestDeltaM;
            if (newBest) {
                state.bestDeltaM = validation.deltaM();
                state.bestEpoch = epoch + 1;
            }
            EpochRecord record = totals.record(
                    epoch + 1,
                    state.globalStep,
                    lr,
                    validation.val(),
                    validation.deltaM(),
                    (System.nanoTime() - epochStart) / 1e9);
            for (TrainingLoopListener l : listeners) {
                l.onEpochEnd(new TrainingLoopListener.EpochEnd(record, state, newBest, totals.expertUsage()));
            }
        }
        for (TrainingLoopListener l : listeners) {
            l.onTrainingEnd(state);
        }
    }

    /** The step, with what a divergence means for this run added to the step's account of it. */
    private StepResult runStep(SampleBatch batch, int epoch, int stepIndex, float lr) {
        try {
            return step.run(batch, epoch, stepIndex, lr);
        } catch (TrainingDivergedException e) {
            throw new TrainingDivergedException(e.getMessage() + "; the last checkpoint ("
                    + (state.epoch == 0 ? "none yet" : "epoch " + state.epoch) + ") in " + run.dir()
                    + " is untouched. Lower the learning rate or enable gradient clipping (grad_clip).");
        }
    }

    /** An epoch's validation for its record: metrics per task id, and Δm when it is finite. */
    private record Validation(Map<String, Map<String, Double>> val, Double deltaM) {}

    private Validation validate(int epoch) {
        Map<Task, Map<String, Double>> metrics = validator.validate(model, epoch);
        Map<String, Map<String, Double>> val = new LinkedHashMap<>();
        metrics.forEach((t, m) -> val.put(t.id(), finite(m)));
        double dm = MetricsSummary.deltaM(model.config().tasks().dataset(), metrics);
        return new Validation(val, Double.isFinite(dm) ? dm : null);
    }

    private static Map<String, Double> finite(Map<String, Double> m) {
        Map<String, Double> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v != null && Double.isFinite(v) ? v : null));
        return out;
    }

    /** A well-mixed 32-bit seed per (run seed, epoch, step) (SplitMix64 finaliser). */
    static int stepSeed(long seed, int epoch, int step) {
        long z = seed * 0x9E3779B97F4A7C15L
                + epoch * 0xBF58476D1CE4E5B9L
                + step * 0x94D049BB133111EBL
                + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (int) (z ^ (z >>> 31)) & 0x7FFFFFFF;
    }
}
