package org.m3vit.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
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
import org.m3vit.task.Task;

/**
 * The training loop: epochs of batches, each one {@link TrainingStep} at the schedule's rate, per-epoch
 * validation, and the run's state (epochs, steps, best score). Everything else a run produces is done by
 * its {@link TrainingLoopListener}s ({@link StandardListeners} are what {@code m3vit train} uses), so the
 * loop itself writes no file. Not DJL's {@code ai.djl.training.Trainer}: it trains task pathways one at a
 * time with its own optimizer, which DJL's trainer cannot.
 *
 * <p>The loop knows nothing of the kind of model: what it trains is a {@link TrainableModel}, its batches
 * come from a {@link BatchSource}, and what one step computes is a {@link TrainingStep}. {@link #multiTask}
 * assembles M³ViT's and the dense ViT's; the generalist assembles its own.
 *
 * <p>Determinism: the engine is reseeded from (seed, epoch, step) before every step, and the batch source's
 * order depends only on (seed, epoch), so a run resumed from an epoch checkpoint takes exactly the steps
 * the uninterrupted run took. A step checkpoint ({@link #checkpointEvery}) also saves the epoch's running
 * totals and how many of its batches were taken; the resumed epoch starts at the next batch of the same
 * order, so it too ends bit-identical.
 *
 * <p>Divergence never reaches a file: after every epoch (and before every step checkpoint) the parameters
 * and the optimizer state are checked to be finite, before any listener runs.
 *
 * @param <B> the batch type
 */
public final class TrainingLoop<B> {

    private final LoopSettings settings;
    private final TrainableModel model;
    private final BatchSource<B> batches;
    private final EpochValidator validator;
    private final RunLayout run;
    private final NDManager manager;
    private final ParameterOptimizer optimizer;
    private final TrainingStep<B> step;
    private final Schedule schedule;
    private final long stepsPerEpoch;
    private final List<TrainingLoopListener> listeners = new ArrayList<>();
    private Consumer<String> log = s -> {};
    private int checkpointEvery;
    private Checkpoint.State state = new Checkpoint.State();

    /**
     * @param optimizer the optimizer {@code step} applies; checkpoints save its state
     * @param validator null to skip validation (no score, no best weights)
     * @param run the run directory: where {@link #resume} looks, and what the listeners write to
     * @param manager the parameters' manager (restored optimizer state lives on it)
     */
    public TrainingLoop(
            LoopSettings settings,
            TrainableModel model,
            BatchSource<B> batches,
            TrainingStep<B> step,
            ParameterOptimizer optimizer,
            EpochValidator validator,
            RunLayout run,
            NDManager manager) {
        this.settings = settings;
        this.model = model;
        this.batches = batches;
        this.step = step;
        this.optimizer = optimizer;
        this.validator = validator;
        this.run = run;
        this.manager = manager;
        this.stepsPerEpoch = batches.stepsPerEpoch();
        if (stepsPerEpoch <= 0) {
            throw new InvalidInputException(InvalidInputException.Kind.FIELD, "trainSet", "the train split is empty");
        }
        this.schedule = Schedule.of(
                settings.scheduler(), settings.lr(), settings.epochs(), stepsPerEpoch, settings.warmupSteps());
        state.seed = settings.seed();
        state.configHash = settings.configHash();
    }

    /**
     * M³ViT's and the dense ViT's loop: the train split in shuffled batches of {@code trBatch} through a
     * {@link PrefetchLoader}, one {@link MultiTaskStep} per batch, and Δm from {@code validator}'s metrics.
     *
     * @param validator null to skip validation (no Δm, no best weights)
     */
    public static TrainingLoop<SampleBatch> multiTask(
            TrainConfig config,
            MultiTaskModel model,
            MultiTaskDataset trainSet,
            Validator validator,
            RunLayout run,
            NDManager manager) {
        TrainableModel trainable = TrainableModel.of(model);
        Map<String, Parameter> parameters = trainable.parameters();
        List<Parameter> withGradients = enableGradients(parameters);
        ParameterOptimizer optimizer = ParameterOptimizer.of(config, parameters);
        MultiTaskStep step = new MultiTaskStep(config, model, parameters, withGradients, optimizer, manager);
        long steps = (trainSet.size() + config.trBatch() - 1) / config.trBatch();
        BatchSource<SampleBatch> batches = new BatchSource<>() {
            @Override
            public long stepsPerEpoch() {
                return steps;
            }

            @Override
            public Epoch<SampleBatch> epoch(int epoch, int firstStep) {
                PrefetchLoader loader = new PrefetchLoader(
                                trainSet, epoch, config.trBatch(), true, false, config.workers(), 2)
                        .startingAt(firstStep);
                return new Epoch<>() {
                    @Override
                    public Iterator<SampleBatch> iterator() {
                        return loader.iterator();
                    }

                    @Override
                    public void close() {
                        loader.close();
                    }
                };
            }
        };
        EpochValidator epochValidator = validator == null ? null : epoch -> deltaM(model, validator, epoch);
        return new TrainingLoop<>(
                LoopSettings.of(config), trainable, batches, step, optimizer, epochValidator, run, manager);
    }

    /** An M³ViT validation for its record: metrics per task id, and Δm when it is finite. */
    private static EpochValidator.Validation deltaM(MultiTaskModel model, Validator validator, int epoch) {
        Map<Task, Map<String, Double>> metrics = validator.validate(model, epoch);
        Map<String, Map<String, Double>> val = new LinkedHashMap<>();
        metrics.forEach((t, m) -> val.put(t.id(), m));
        double dm = MetricsSummary.deltaM(model.config().tasks().dataset(), metrics);
        return new EpochValidator.Validation(val, Double.isFinite(dm) ? dm : null);
    }

    /**
     * Marks every parameter that requires a gradient as recording one, and returns them: those are the ones
     * that train (a model with none is an error).
     */
    public static List<Parameter> enableGradients(Map<String, Parameter> parameters) {
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
    public TrainingLoop<B> addListener(TrainingLoopListener listener) {
        listeners.add(listener);
        return this;
    }

    /**
     * Also calls {@link TrainingLoopListener#onStepCheckpoint} every {@code steps} global steps within an
     * epoch (0 = only at epoch ends, the default).
     */
    public TrainingLoop<B> checkpointEvery(int steps) {
        if (steps < 0) {
            throw InvalidInputException.field("checkpointEvery", "must be >= 0 (0 = epoch ends only), got " + steps);
        }
        this.checkpointEvery = steps;
        return this;
    }

    /** The loop's own notices (resume, a changed configuration). */
    public TrainingLoop<B> onLog(Consumer<String> log) {
        this.log = log;
        return this;
    }

    public TrainableModel model() {
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
    public TrainingLoop<B> resume(Path location) throws IOException {
        Path json = Checkpoint.jsonOf(location);
        state = Checkpoint.restore(json, model, optimizer, manager);
        if (!settings.configHash().equals(state.configHash)) {
            log.accept("warning: the configuration differs from the checkpoint's; continuing with the new one");
            state.configHash = settings.configHash();
        }
        if (state.seed != settings.seed()) {
            throw InvalidInputException.key(
                    "seed",
                    "the checkpoint " + json + " was trained with seed " + state.seed + " but this run has seed "
                            + settings.seed() + "; resume with the checkpoint's seed");
        }
        if (state.epoch > settings.epochs()) {
            throw InvalidInputException.file(
                    json,
                    "the checkpoint has " + state.epoch + " completed epochs, more than the run's " + settings.epochs()
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

    /** Trains until all {@link LoopSettings#epochs()} epochs are complete. */
    public void fit() throws IOException {
        fit(settings.epochs());
    }

    /**
     * Trains until {@code untilEpoch} (≤ the run's epochs) epochs are complete; the schedule still spans all
     * of them, so a later {@link #resume} continues the same run.
     */
    public void fit(int untilEpoch) throws IOException {
        Files.createDirectories(run.dir());
        int epochs = settings.epochs();
        for (TrainingLoopListener l : listeners) {
            l.onTrainingStart(new TrainingLoopListener.TrainingStart(epochs, stepsPerEpoch, state.globalStep));
        }
        int resumeStep = state.epochStep;
        for (int epoch = state.epoch; epoch < Math.min(untilEpoch, epochs); epoch++) {
            long epochStart = System.nanoTime();
            for (TrainingLoopListener l : listeners) {
                l.onEpochStart(epoch + 1);
            }
            EpochTotals totals = EpochTotals.of(model.taskIds(), resumeStep > 0 ? state.partial : null);
            float lr = schedule.lr(state.globalStep);
            int stepIndex = resumeStep;
            resumeStep = 0;
            try (BatchSource.Epoch<B> epochBatches = batches.epoch(epoch, stepIndex)) {
                for (B batch : epochBatches) {
                    lr = schedule.lr(state.globalStep);
                    Engine.getInstance().setRandomSeed(stepSeed(settings.seed(), epoch, stepIndex));
                    StepResult result = runStep(batch, epoch, stepIndex, lr);
                    totals.add(result);
                    stepIndex++;
                    state.globalStep++;
                    for (TrainingLoopListener l : listeners) {
                        l.onStep(new TrainingLoopListener.StepEnd(epoch + 1, stepIndex, state.globalStep, lr, result));
                    }
                    if (checkpointEvery > 0 && state.globalStep % checkpointEvery == 0 && stepIndex < stepsPerEpoch) {
                        state.epochStep = stepIndex;
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
            boolean validates = validator != null && (!settings.evalFinal10EpochsOnly() || epoch >= epochs - 10);
            EpochValidator.Validation validation =
                    validates ? validator.validate(epoch) : new EpochValidator.Validation(null, null);
            Map<String, Map<String, Double>> val = validation.val() == null ? null : finite(validation.val());
            Double score =
                    validation.score() != null && Double.isFinite(validation.score()) ? validation.score() : null;
            boolean newBest = score != null && score > state.bestDeltaM;
            if (newBest) {
                state.bestDeltaM = score;
                state.bestEpoch = epoch + 1;
            }
            boolean isDeltaM = model.selectionMetric().equals("delta_m");
            EpochRecord record = totals.record(
                    epoch + 1,
                    state.globalStep,
                    lr,
                    val,
                    isDeltaM ? score : null,
                    isDeltaM ? null : score,
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
    private StepResult runStep(B batch, int epoch, int stepIndex, float lr) {
        try {
            return step.run(batch, epoch, stepIndex, lr);
        } catch (TrainingDivergedException e) {
            throw new TrainingDivergedException(e.getMessage() + "; the last checkpoint ("
                    + (state.epoch == 0 ? "none yet" : "epoch " + state.epoch) + ") in " + run.dir()
                    + " is untouched. Lower the learning rate or enable gradient clipping (grad_clip).");
        }
    }

    private static Map<String, Map<String, Double>> finite(Map<String, Map<String, Double>> metrics) {
        Map<String, Map<String, Double>> val = new LinkedHashMap<>();
        metrics.forEach((t, m) -> {
            Map<String, Double> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(k, v != null && Double.isFinite(v) ? v : null));
            val.put(t, out);
        });
        return val;
    }

    /** A well-mixed 32-bit seed per (run seed, epoch, step) (SplitMix64 finaliser). */
    public static int stepSeed(long seed, int epoch, int step) {
        long z = seed * 0x9E3779B97F4A7C15L
                + epoch * 0xBF58476D1CE4E5B9L
                + step * 0x94D049BB133111EBL
                + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (int) (z ^ (z >>> 31)) & 0x7FFFFFFF;
    }
}
