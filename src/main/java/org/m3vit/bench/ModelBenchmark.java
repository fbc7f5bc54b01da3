package org.m3vit.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.m3vit.config.ModelConfig;
import org.m3vit.infer.ModelInput;
import org.m3vit.infer.Predictor;
import org.m3vit.model.MultiTaskModel;
import org.m3vit.nn.StateDict;
import org.m3vit.task.LossOptions;
import org.m3vit.task.Task;
import org.m3vit.train.ParameterOptimizer;
import org.m3vit.train.PathwayBackward;

/**
 * Whole-model throughput of one configuration: inference through each task pathway on its own, through
 * every pathway at once ({@link MultiTaskModel#forwardAll}, which shares the task-independent prefix), and
 * a full training step. The training step is what {@code m3vit train} does per batch of an MoE model: for
 * every task pathway a forward in training mode (gate noise, BN updates), the reference's loss (the
 * task's {@link org.m3vit.task.DenseTaskSpec#loss}: cross-entropy, balanced BCE, L1) against random targets
 * plus the MoE balancing loss, and its backward; then one AdamW update. Variants run in interleaved
 * rounds; the first {@code warmup} rounds are not timed and the result is the median of the rest.
 */
public final class ModelBenchmark {

    /**
     * @param train whether to measure the training step (it dominates the run time)
     * @param inference whether to measure inference (all pathways at once and each on its own)
     */
    public record Settings(int batch, int warmup, int repeats, long seed, boolean train, boolean inference) {
        public Settings {
            if (!train && !inference) {
                throw new IllegalArgumentException("nothing to measure: neither training nor inference");
            }
        }
    }

    /**
     * Median milliseconds per batch of each variant ("train", "all_tasks", then one per task id), and each
     * variant's peak resident set in bytes: the highest the whole process reached while that variant ran
     * (parameters, optimizer state and the JVM included, as a Python process's peak RSS includes its own),
     * or the process's peak since start where the kernel cannot reset it ({@code peakIsPerVariant} false).
     */
    public record Result(
            Map<String, Double> medianMs,
            Map<String, Double> minMs,
            Map<String, Double> maxMs,
            Map<String, Long> peakRssBytes,
            boolean peakIsPerVariant,
            int batch) {
        public double imagesPerSecond(String variant) {
            return batch / (medianMs.get(variant) / 1000.0);
        }
    }

    private final ModelConfig config;
    private final Settings settings;
    private final Consumer<String> progress;

    public ModelBenchmark(ModelConfig config, Settings settings, Consumer<String> progress) {
        this.config = config;
        this.settings = settings;
        this.progress = progress;
    }

    /** The batch as predictor inputs (one normalised image each). */
    private static List<ModelInput> inputs(NDArray batch) {
        Shape s = batch.getShape();
        int per = (int) (s.get(1) * s.get(2) * s.get(3));
        float[] all = batch.toFloatArray();
        List<ModelInput> out = new ArrayList<>();
        for (int i = 0; i < s.get(0); i++) {
            float[] one = new float[per];
            System.arraycopy(all, i * per, one, 0, per);
            out.add(ModelInput.normalised(one, (int) s.get(1), (int) s.get(2), (int) s.get(3)));
        }
        return out;
    }

    @SuppressWarnings("try") // scopes are used for their close()
    public Result run() {
        Engine.getInstance().setRandomSeed((int) settings.seed());
        try (NDManager m = NDManager.newBaseManager()) {
            MultiTaskModel model = new MultiTaskModel(config).initialize(m);
            Map<String, Parameter> params = StateDict.parameters(model);
            params.values().forEach(p -> {
                if (p.requiresGradient()) {
                    p.getArray().setRequiresGradient(true);
                }
            });
            ParameterOptimizer adamw = new ParameterOptimizer.AdamW(
                    params, 0.9f, 0.999f, 1e-8f, 1e-4f, ParameterOptimizer::decaysByDefault);
            ParameterStore ps = new ParameterStore(m, false);
            int b = settings.batch();
            int h = config.imgHeight();
            int w = config.imgWidth();
            NDArray image = m.randomNormal(new Shape(b, config.inChans(), h, w));
            Map<Task, NDArray> targets = randomTargets(m, b, h, w);

            Map<String, Runnable> variants = new LinkedHashMap<>();
            Runnable trainStep = () -> {
                // As train.MultiTaskStep runs an MoE model: the shared prefix once, then one forward + backward
                // per pathway (gradients add up), each in its own scope; then AdamW.
                PathwayBackward.run(model, ps, image, config.tasks().tasks(), (t, out) -> taskLoss(
                                t, out.prediction(), targets.get(t))
                        .add(out.auxLoss()));
                adamw.step(1e-4f);
            };
            if (settings.train()) {
                variants.put("train", trainStep);
            }
            // Inference goes through the Predictor, the one inference path, as predict/eval/serve run it.
            Predictor predictor = Predictor.of(model);
            List<ModelInput> inputs = inputs(image);
            if (settings.inference()) {
                variants.put("all_tasks", () -> predictor.predictAllBatch(inputs));
                for (Task t : config.tasks().tasks()) {
                    variants.put(t.id(), () -> predictor.predictBatch(inputs, t));
                }
            }
            // One untimed step first, so that creating AdamW's moment buffers is not part of any timing.
            if (settings.train()) {
                progress.accept("creating optimizer state");
                trainStep.run();
            }
            Map<String, List<Double>> times = new LinkedHashMap<>();
            variants.keySet().forEach(k -> times.put(k, new ArrayList<>()));
            Map<String, Long> peaks = new LinkedHashMap<>();
            boolean perVariant = true;
            int rounds = settings.warmup() + settings.repeats();
            for (int r = 0; r < rounds; r++) {
                for (var v : variants.entrySet()) {
                    progress.accept(String.format(
                            "%s %dx%d round %d/%d: %s",
                            config.embedDim() == 192 ? "tiny" : "D=" + config.embedDim(),
                            h,
                            w,
                            r + 1,
                            rounds,
                            v.getKey()));
                    perVariant &= ProcessMemory.resetPeak();
                    try (NDScope scope = new NDScope()) {
                        long t0 = System.nanoTime();
                        v.getValue().run();
                        long t1 = System.nanoTime();
                        if (r >= settings.warmup()) {
                            times.get(v.getKey()).add((t1 - t0) / 1e6);
                        }
                    }
                    // read after the scope closed: the peak is what the run reached, not what it left behind
                    peaks.merge(v.getKey(), ProcessMemory.peakResidentBytes(), Math::max);
                }
            }
            Map<String, Double> med = new LinkedHashMap<>();
            Map<String, Double> min = new LinkedHashMap<>();
            Map<String, Double> max = new LinkedHashMap<>();
            times.forEach((k, v) -> {
                double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
                med.put(k, MoeBenchmark.median(a));
                min.put(k, MoeBenchmark.min(a));
                max.put(k, MoeBenchmark.max(a));
            });
            return new Result(med, min, max, peaks, perVariant, b);
        }
    }

    private Map<Task, NDArray> randomTargets(NDManager m, int b, int h, int w) {
        Map<Task, NDArray> out = new LinkedHashMap<>();
        for (Task t : config.tasks().tasks()) {
            out.put(t, t.spec().randomTarget(m, b, config.tasks().channels(t), h, w));
        }
        return out;
    }

    /** The trainer's loss with the reference's settings (edge_w 0.95). */
    private static NDArray taskLoss(Task t, NDArray pred, NDArray target) {
        return t.spec().loss(pred, target, LossOptions.REFERENCE);
    }
}
