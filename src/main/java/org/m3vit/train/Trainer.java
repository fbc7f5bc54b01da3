package org.m3vit.train;

import org.m3vit.nn.Scalars;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.m3vit.data.MultiTaskDataset;
import org.m3vit.data.PrefetchLoader;
import org.m3vit.data.SampleBatch;
import org.m3vit.eval.MetricsSummary;
import org.m3vit.io.AtomicFiles;
import org.m3vit.model.ModelWeights;
import org.m3vit.model.MultiTaskModel;
import org.m3vit.nn.StateDict;
import org.m3vit.task.Task;

/**
 * The training loop. Per batch of an MoE model, each task runs its own pathway (multi-gate: its routers;
 * task-conditioned: its f_t), its weighted loss plus the weighted MoE balancing loss is back-propagated
 * (gradients add up across tasks, one collector and one scope at a time). A dense model, whose pathways
 * are all the same backbone, runs it once and back-propagates the summed task losses (same gradients).
 * Then optionally global-norm clipping and one optimizer step at the schedule's rate. This is both M³ViT
 * multi-gate training (T pathways per batch) and the reference's one-by-one mode.
 *
 * <p>Determinism: the engine is reseeded from (seed, epoch, step) before every step, data order comes from
 * (seed, epoch) and augmentation from (seed, epoch, index), so a run resumed from an epoch checkpoint takes
 * exactly the steps the uninterrupted run took.
 */
public final class Trainer {

    private static final Gson JSON = new GsonBuilder().disableHtmlEscaping().create();

    private final TrainConfig config;
    private final MultiTaskModel model;
    private final MultiTaskDataset trainSet;
    private final Validator validator;
    private final RunLayout run;
    private final NDManager manager;
    private final Map<String, Parameter> parameters;
    private final List<Parameter> trainable = new ArrayList<>();
    private final ParameterOptimizer optimizer;
    private final Schedule schedule;
    private final long stepsPerEpoch;
    private Consumer<String> progress = s -> { };
    private Consumer<String> log = s -> { };
    private Checkpoint.State state = new Checkpoint.State();

    /** @param validator null to skip validation (no Δm, no best checkpoint) */
    public Trainer(TrainConfig config, MultiTaskModel model, MultiTaskDataset trainSet, Validator validator, Path runDir,
            NDManager manager) {
        this.config = config;
        this.model = model;
        this.trainSet = trainSet;
        this.validator = validator;
        this.run = new RunLayout(runDir);
        this.manager = manager;
        this.parameters = StateDict.parameters(model);
        for (Parameter p : parameters.values()) {
            if (p.requiresGradient()) {
                p.getArray().setRequiresGradient(true);
                trainable.add(p);
            }
        }
        if (trainable.isEmpty()) {
            throw new IllegalArgumentException("the model has no trainable parameters");
        }
        this.optimizer = ParameterOptimizer.of(config, parameters);
        this.stepsPerEpoch = (trainSet.size() + config.trBatch() - 1) / config.trBatch();
        if (stepsPerEpoch == 0) {
            throw new IllegalArgumentException("the train split is empty");
        }
        this.schedule = Schedule.of(config.scheduler(), config.lr(), config.epochs(), stepsPerEpoch, config.warmupSteps());
        state.seed = config.seed();
        state.configHash = config.hash();
    }

    /** A self-overwriting status line (step, loss, ETA). */
    public Trainer onProgress(Consumer<String> progress) {
        this.progress = progress;
        return this;
    }

    /** One line per epoch and notices (resume, best checkpoint). */
    public Trainer onLog(Consumer<String> log) {
        this.log = log;
        return this;
    }

    /** Continues from a checkpoint ({@code checkpoint.json} or its run directory). */
    public Trainer resume(Path location) throws IOException {
        Path json = Checkpoint.jsonOf(location);
        state = Checkpoint.restore(json, model, optimizer, manager);
        if (!config.hash().equals(state.configHash)) {
            log.accept("warning: the configuration differs from the checkpoint's; continuing with the new one");
            state.configHash = config.hash();
        }
        if (state.seed != config.seed()) {
            throw new IllegalArgumentException("--resume: the checkpoint was trained with seed " + state.seed
                    + " but this run has seed " + config.seed());
        }
        log.accept("resumed from " + json + " after epoch " + state.epoch + " (step " + state.globalStep + ")");
        return this;
    }

    public Checkpoint.State state() {
        return state;
    }

    /** What a finished run reports: its state and the run directory's files. */
    public record Result(Checkpoint.State state, RunLayout run) {}

    public Result result() {
        return new Result(state, run);
    }

    /** Trains until {@code config.epochs()} epochs are complete, checkpointing after each. */
    public void fit() throws IOException {
        fit(config.epochs());
    }

    /**
     * Trains until {@code untilEpoch} (≤ config.epochs()) epochs are complete; the schedule still spans
     * config.epochs(), so a later {@link #resume} continues the same run.
     */
    public void fit(int untilEpoch) throws IOException {
        Files.createDirectories(run.dir());
        ParameterStore ps = new ParameterStore(manager, false);
        List<Task> tasks = model.config().tasks().tasks();
        long start = System.nanoTime();
        long stepsAtStart = state.globalStep;
        long totalSteps = stepsPerEpoch * config.epochs();
        for (int epoch = state.epoch; epoch < Math.min(untilEpoch, config.epochs()); epoch++) {
            long epochStart = System.nanoTime();
            Map<Task, double[]> lossSums = new EnumMap<>(Task.class);
            tasks.forEach(t -> lossSums.put(t, new double[1]));
            double auxSum = 0;
            double gradNormSum = 0;
            Map<Task, Map<Integer, long[]>> usage = new EnumMap<>(Task.class);
            float lr = schedule.lr(state.globalStep);
            int step = 0;
            try (PrefetchLoader loader = new PrefetchLoader(trainSet, epoch, config.trBatch(), true, false,
                    config.workers(), 2)) {
                for (SampleBatch batch : loader) {
                    lr = schedule.lr(state.globalStep);
                    float[] losses = trainStep(ps, batch, epoch, step, lr, usage);
                    for (int i = 0; i < tasks.size(); i++) {
                        lossSums.get(tasks.get(i))[0] += losses[i];
                    }
                    auxSum += losses[tasks.size()];
                    gradNormSum += Math.sqrt(losses[tasks.size() + 1]);
                    step++;
                    state.globalStep++;
                    double elapsed = (System.nanoTime() - start) / 1e9;
                    long done = state.globalStep - stepsAtStart;
                    double eta = elapsed / done * (totalSteps - state.globalStep);
                    progress.accept(String.format("epoch %d/%d step %d/%d loss %.4f lr %.3g ETA %s", epoch + 1,
                            config.epochs(), step, stepsPerEpoch, sum(losses, tasks.size()), lr, hms(eta)));
                }
            }
            state.epoch = epoch + 1;

            Map<String, Double> trainLoss = new LinkedHashMap<>();
            for (Task t : tasks) {
                trainLoss.put(t.id(), lossSums.get(t)[0] / step);
            }
            boolean validates = validator != null && (!config.evalFinal10EpochsOnly() || epoch >= config.epochs() - 10);
            Validation validation = validates ? validate(epoch) : new Validation(null, null);
            EpochRecord record = new EpochRecord(epoch + 1, state.globalStep, lr, trainLoss, auxSum / step,
                    gradNormSum / step, validation.val(), validation.deltaM(), (System.nanoTime() - epochStart) / 1e9);
            Checkpoint.save(run, model, optimizer, state);
            appendMetrics(record);
            writeUsage(usage);
            StringBuilder losses = new StringBuilder();
            trainLoss.forEach((t, v) -> losses.append(String.format(" %s %.4f", t, v)));
            log.accept(String.format("epoch %d/%d: loss%s, aux %.4f%s (%.1fs)", epoch + 1, config.epochs(), losses,
                    auxSum / step, record.deltaM() != null ? String.format(", Δm %.3f", record.deltaM()) : "",
                    record.seconds()));
        }
    }

    /**
     * One optimizer step over every task; returns per-task unweighted losses, the summed aux loss and the
     * squared global gradient norm (before clipping).
     */
    private float[] trainStep(ParameterStore ps, SampleBatch batch, int epoch, int step, float lr,
            Map<Task, Map<Integer, long[]>> usage) {
        Engine.getInstance().setRandomSeed(stepSeed(config.seed(), epoch, step));
        List<Task> tasks = model.config().tasks().tasks();
        // The sub-manager holds the batch; the NDScope also frees what ops on parameter arrays (which live
        // on the long-lived manager) create: activations, gradient temporaries, optimizer intermediates.
        try (NDManager scope = manager.newSubManager(); NDScope temporaries = new NDScope()) {
            NDList arrays = batch.toNDList(scope);
            NDArray image = arrays.get(0);
            NDArray[] logged = new NDArray[tasks.size() + 1];
            if (model.config().isMoe()) {
                // One pathway at a time, each with its own backward and its own scope: only one task's
                // activations are alive at once (the scope frees them; the graph alone would not).
                for (int i = 0; i < tasks.size(); i++) {
                    Task t = tasks.get(i);
                    NDArray[] kept;
                    try (NDScope pathway = new NDScope();
                            GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                        MultiTaskModel.TaskOutput out = model.forward(ps, image, t, true);
                        NDArray loss = TaskLosses.loss(t, out.prediction(), target(arrays, batch, t),
                                config.edgePosWeight());
                        gc.backward(weighted(t, loss).add(out.auxLoss().mul(Scalars.of(loss, config.auxWeight()))));
                        NDArray aux = out.auxLoss().stopGradient();
                        kept = new NDArray[] {loss.stopGradient(),
                            logged[tasks.size()] == null ? aux : logged[tasks.size()].add(aux)};
                        countExperts(usage, t, out.backbone().expertCounts());
                        NDScope.unregister(kept);
                    }
                    NDScope.register(kept[0]);
                    NDScope.register(kept[1]); // freed with the step
                    logged[i] = kept[0];
                    logged[tasks.size()] = kept[1];
                }
            } else {
                // Without routers every pathway is the same backbone: run it once and back-propagate the summed
                // task losses, which gives the same gradients as one backward per task at a fraction of the cost.
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    MultiTaskModel.MultiTaskOutput out = model.forwardAll(ps, image, true);
                    NDArray total = null;
                    for (int i = 0; i < tasks.size(); i++) {
                        Task t = tasks.get(i);
                        NDArray loss = TaskLosses.loss(t, out.predictions().get(t), target(arrays, batch, t),
                                config.edgePosWeight());
                        total = total == null ? weighted(t, loss) : total.add(weighted(t, loss));
                        logged[i] = loss.stopGradient();
                    }
                    gc.backward(total);
                    logged[tasks.size()] = out.auxLoss().stopGradient();
                }
            }
            // The step's one host read: the losses and the squared global gradient norm. A finite loss can
            // still back-propagate a NaN gradient; applying it would poison the weights (and the next
            // checkpoint), so it is caught here too.
            NDList read = new NDList(logged);
            read.add(GradientClipping.squaredNorm(trainable).reshape(new ai.djl.ndarray.types.Shape()));
            float[] values = NDArrays.stack(read).toFloatArray();
            double gradNorm = Math.sqrt(values[tasks.size() + 1]);
            for (int i = 0; i <= tasks.size(); i++) {
                if (!Float.isFinite(values[i])) {
                    String what = i < tasks.size() ? "the " + tasks.get(i).id() + " loss" : "the MoE balancing loss";
                    throw new TrainingDivergedException(what + " is " + values[i] + " at epoch " + (epoch + 1) + " step "
                            + (step + 1) + " (lr " + lr + "); the last checkpoint ("
                            + (state.epoch == 0 ? "none yet" : "epoch " + state.epoch) + ") in " + run.dir()
                            + " is untouched. Lower the learning rate or enable --grad-clip.");
                }
            }
            if (!Double.isFinite(gradNorm)) {
                throw new TrainingDivergedException("the gradient norm is " + gradNorm + " at epoch " + (epoch + 1)
                        + " step " + (step + 1) + " (lr " + lr + ", losses finite, max |input| "
                        + image.abs().max().getFloat() + "; non-finite gradients in " + nonFiniteGradients()
                        + "); the last checkpoint ("
                        + (state.epoch == 0 ? "none yet" : "epoch " + state.epoch) + ") in " + run.dir()
                        + " is untouched. Lower the learning rate or enable --grad-clip.");
            }
            GradientClipping.scale(trainable, gradNorm, config.gradClip());
            optimizer.step(lr); // its state buffers outlive this scope (ParameterOptimizer unregisters them)
            return values;
        }
    }

    private static NDArray target(NDList arrays, SampleBatch batch, Task t) {
        return arrays.get(batch.tasks().indexOf(t) + 1);
    }

    private NDArray weighted(Task t, NDArray loss) {
        return loss.mul(Scalars.of(loss, config.lossWeights().get(t)));
    }

    /** Names of the first parameters whose gradient holds a NaN or infinity (diagnostics only). */
    private String nonFiniteGradients() {
        List<String> bad = new ArrayList<>();
        int total = 0;
        for (var e : parameters.entrySet()) {
            if (e.getValue().requiresGradient()) {
                NDArray g = e.getValue().getArray().getGradient();
                long n = g.isNaN().logicalOr(g.isInfinite()).countNonzero().getLong();
                if (n > 0) {
                    total++;
                    if (bad.size() < 6) {
                        bad.add(e.getKey() + " (" + n + ")");
                    }
                }
            }
        }
        if (total == 0) {
            String largest = "";
            double max = -1;
            for (var e : parameters.entrySet()) {
                if (e.getValue().requiresGradient()) {
                    double m = e.getValue().getArray().getGradient().abs().max().getFloat();
                    if (m > max) {
                        max = m;
                        largest = e.getKey();
                    }
                }
            }
            return "no tensor: every element is finite, but the squared norm overflows float32 (largest |g| "
                    + max + " in " + largest + ")";
        }
        return total + " tensors: " + String.join(", ", bad) + (total > bad.size() ? ", …" : "");
    }

    private static void countExperts(Map<Task, Map<Integer, long[]>> usage, Task t, Map<Integer, NDArray> counts) {
        if (counts == null) {
            return;
        }
        Map<Integer, long[]> perLayer = usage.computeIfAbsent(t, k -> new TreeMap<>());
        for (var e : counts.entrySet()) {
            long[] c = e.getValue().toType(ai.djl.ndarray.types.DataType.INT64, false).toLongArray();
            long[] acc = perLayer.computeIfAbsent(e.getKey(), k -> new long[c.length]);
            for (int j = 0; j < c.length; j++) {
                acc[j] += c[j];
            }
        }
    }

    /** An epoch's validation for its record: metrics per task id, and Δm when it is finite. */
    private record Validation(Map<String, Map<String, Double>> val, Double deltaM) {}

    private Validation validate(int epoch) throws IOException {
        Map<Task, Map<String, Double>> metrics = validator.validate(model, epoch);
        Map<String, Map<String, Double>> val = new LinkedHashMap<>();
        metrics.forEach((t, m) -> val.put(t.id(), finite(m)));
        double dm = MetricsSummary.deltaM(model.config().tasks().dataset(), metrics);
        if (Double.isFinite(dm)) {
            if (dm > state.bestDeltaM) {
                state.bestDeltaM = dm;
                state.bestEpoch = epoch + 1;
                ModelWeights.save(model, run.bestWeights(),
                        Map.of("epoch", Integer.toString(epoch + 1), "delta_m", Double.toString(dm)));
                log.accept(String.format("new best Δm %.3f at epoch %d → best.safetensors", dm, epoch + 1));
            }
        }
        return new Validation(val, Double.isFinite(dm) ? dm : null);
    }

    private void appendMetrics(EpochRecord record) throws IOException {
        Files.writeString(run.metricsLog(), record.toJson() + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** {"task": {"layer_index": [tokens routed to each expert]}} for the epoch just finished. */
    private void writeUsage(Map<Task, Map<Integer, long[]>> usage) throws IOException {
        if (usage.isEmpty()) {
            return;
        }
        Map<String, Map<String, long[]>> out = new LinkedHashMap<>();
        usage.forEach((t, layers) -> {
            Map<String, long[]> m = new LinkedHashMap<>();
            layers.forEach((l, c) -> m.put(Integer.toString(l), c));
            out.put(t.id(), m);
        });
        AtomicFiles.write(run.expertUsage(), JSON.toJson(out).getBytes(StandardCharsets.UTF_8));
    }

    /** A well-mixed 32-bit seed per (run seed, epoch, step) (SplitMix64 finaliser). */
    static int stepSeed(long seed, int epoch, int step) {
        long z = seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + step * 0x94D049BB133111EBL + 0x632BE59BD9B4E019L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (int) (z ^ (z >>> 31)) & 0x7FFFFFFF;
    }

    private static Map<String, Double> finite(Map<String, Double> m) {
        Map<String, Double> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v != null && Double.isFinite(v) ? v : null));
        return out;
    }

    private static double sum(float[] v, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += v[i];
        }
        return s;
    }

    private static String hms(double seconds) {
        long s = Double.isFinite(seconds) ? Math.round(seconds) : 0;
        return String.format("%02d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
