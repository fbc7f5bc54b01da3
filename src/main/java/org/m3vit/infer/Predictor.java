package org.m3vit.infer;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.m3vit.config.ModelConfig;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.io.Tensor;
import org.m3vit.model.BackboneOutput;
import org.m3vit.model.ModelWeights;
import org.m3vit.model.MultiTaskModel;
import org.m3vit.runtime.ExpertRuntime;
import org.m3vit.runtime.RuntimeReport;
import org.m3vit.runtime.StreamingOptions;
import org.m3vit.runtime.WeightFile;
import org.m3vit.task.Task;

/**
 * The one way to run a model for inference: built from a weights file (an m3vit artifact, or a
 * reference-format file with its config), it owns the engine memory of the model and runs one task's
 * pathway ({@link #predict}) or every pathway with the shared prefix computed once ({@link #predictAll}),
 * in eval mode, on raw images (preprocessed as the artifact says) or normalised tensors.
 *
 * <p><b>Where the weights are:</b> by default all of them are resident. With {@link Builder#expertBuffers} or
 * {@link Builder#memoryBudget} the predictor keeps only the shared weights and the running task's routers
 * and head resident and streams the experts from the weights file through N buffers (the co-design
 * runtime, {@code org.m3vit.runtime}); the outputs are the same. Either layout of weights file works: the
 * reference layout, or the expert-major one {@code m3vit pack} writes.
 *
 * <p><b>Thread safety:</b> a predictor may be called from several threads at once. The model's blocks
 * hold no per-call state and its parameters are only read; every call makes its own parameter store, its
 * own sub-manager and its own {@link NDScope}, and frees all of its intermediates before returning.
 * {@link #close} must not race with calls in flight.
 *
 * <pre>{@code
 * try (Predictor p = Predictor.builder().weights(Path.of("w.safetensors")).build()) {
 *     Tensor normals = p.predict(ModelInput.image(rgb, h, w), Task.NORMALS);
 * }
 * }</pre>
 */
public final class Predictor implements AutoCloseable {

    private final NDManager manager;
    private final boolean ownsManager;
    private final MultiTaskModel model;
    private final Preprocessing preprocessing;
    private final Path source;
    private final ExpertRuntime runtime;

    private Predictor(
            NDManager manager,
            boolean ownsManager,
            MultiTaskModel model,
            Preprocessing preprocessing,
            Path source,
            ExpertRuntime runtime) {
        this.manager = manager;
        this.ownsManager = ownsManager;
        this.model = model;
        this.preprocessing = preprocessing;
        this.source = source;
        this.runtime = runtime;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A predictor over a model that lives elsewhere (the model being trained, for validation; freshly
     * initialised weights, for the demo's untrained baseline). It does not own the model's memory, and
     * the model's preprocessing is the training pipeline's.
     */
    public static Predictor of(MultiTaskModel model) {
        ModelConfig c = model.config();
        NDManager m = model.backbone().posEmbedParameter().getArray().getManager();
        return new Predictor(
                m,
                false,
                model,
                Preprocessing.imagenet(c.imgHeight(), c.imgWidth()),
                null,
                ExpertRuntime.resident(model));
    }

    public ModelConfig config() {
        return model.config();
    }

    public Preprocessing preprocessing() {
        return preprocessing;
    }

    /** The weights file it was loaded from, or null for {@link #of}. */
    public Path source() {
        return source;
    }

    /** One image through {@code task}'s pathway: (1, C, H, W). */
    public Tensor predict(ModelInput input, Task task) {
        return predictBatch(List.of(input), task);
    }

    /** One image through every task's pathway: task → (1, C, H, W). */
    public Map<Task, Tensor> predictAll(ModelInput input) {
        return predictAllBatch(List.of(input)).outputs();
    }

    /** A batch through {@code task}'s pathway, in one forward: (N, C, H, W). */
    public Tensor predictBatch(List<ModelInput> inputs, Task task) {
        return predictDetailed(inputs, task).output();
    }

    /**
     * A batch through {@code task}'s pathway, with the expert counts of every MoE block and, when the experts
     * stream, what each MoE layer loaded and waited for in this call.
     */
    @SuppressWarnings("try") // the scope only frees the call's intermediates on close
    public TaskPrediction predictDetailed(List<ModelInput> inputs, Task task) {
        config().tasks().idOf(task);
        float[] batch = stack(inputs);
        try (ExpertRuntime.Call call = runtime.begin(task);
                NDManager sub = manager.newSubManager();
                NDScope scope = new NDScope()) {
            NDArray image = sub.create(batch, inputShape(inputs.size()));
            MultiTaskModel.TaskOutput out =
                    model.forward(new ParameterStore(sub, false), image, task, false, call.experts(), call::awaitHead);
            NDArray y = out.prediction();
            return new TaskPrediction(
                    Tensor.of(y.getShape().getShape(), y.toFloatArray()), counts(out.backbone()), call.layers());
        }
    }

    /**
     * A batch through every task's pathway, with each pathway's expert counts. With resident experts the
     * shared prefix runs once; when they stream, the pathways run one task after another (only one task's
     * routers and head are resident at a time), with the same outputs.
     */
    public Predictions predictAllBatch(List<ModelInput> inputs) {
        if (runtime.report().streamed()) {
            Map<Task, Tensor> outputs = new LinkedHashMap<>();
            Map<Task, Map<Integer, long[]>> counts = new LinkedHashMap<>();
            for (Task t : config().tasks().tasks()) {
                TaskPrediction p = predictDetailed(inputs, t);
                outputs.put(t, p.output());
                counts.put(t, p.expertCounts());
            }
            return new Predictions(outputs, counts);
        }
        return predictAllResident(inputs);
    }

    @SuppressWarnings("try")
    private Predictions predictAllResident(List<ModelInput> inputs) {
        float[] batch = stack(inputs);
        Map<Task, Tensor> outputs = new LinkedHashMap<>();
        Map<Task, Map<Integer, long[]>> counts = new LinkedHashMap<>();
        try (NDManager sub = manager.newSubManager();
                NDScope scope = new NDScope()) {
            NDArray image = sub.create(batch, inputShape(inputs.size()));
            MultiTaskModel.MultiTaskOutput out = model.forwardAll(new ParameterStore(sub, false), image, false);
            out.predictions()
                    .forEach((t, p) -> outputs.put(t, Tensor.of(p.getShape().getShape(), p.toFloatArray())));
            out.backbones().forEach((t, b) -> counts.put(t, counts(b)));
        }
        return new Predictions(outputs, counts);
    }

    private static Map<Integer, long[]> counts(BackboneOutput b) {
        Map<Integer, long[]> out = new TreeMap<>();
        if (b.expertCounts() != null) {
            b.expertCounts().forEach((layer, c) -> out.put(layer, c.toLongArray()));
        }
        return out;
    }

    private Shape inputShape(int n) {
        ModelConfig c = config();
        return new Shape(n, c.inChans(), c.imgHeight(), c.imgWidth());
    }

    /** Every input as normalised (C, H, W), concatenated in batch order. */
    private float[] stack(List<ModelInput> inputs) {
        if (inputs.isEmpty()) {
            throw InvalidInputException.field("inputs", "no images given");
        }
        ModelConfig c = config();
        int per = c.inChans() * c.imgHeight() * c.imgWidth();
        float[] batch = new float[Math.multiplyExact(per, inputs.size())];
        for (int i = 0; i < inputs.size(); i++) {
            float[] chw = normalised(inputs.get(i), i);
            System.arraycopy(chw, 0, batch, i * per, per);
        }
        return batch;
    }

    private float[] normalised(ModelInput in, int index) {
        ModelConfig c = config();
        if (in instanceof ModelInput.Image img) {
            if (c.inChans() != 3) {
                throw InvalidInputException.field("image", "the model takes " + c.inChans() + " channels, not RGB");
            }
            return preprocessing.apply(img.hwc(), img.height(), img.width());
        }
        ModelInput.Normalised n = (ModelInput.Normalised) in;
        if (n.channels() != c.inChans() || n.height() != c.imgHeight() || n.width() != c.imgWidth()) {
            throw InvalidInputException.field(
                    "input[" + index + "]",
                    "expected shape (" + c.inChans() + ", "
                            + c.imgHeight() + ", " + c.imgWidth() + ") (the model's input size), got (" + n.channels()
                            + ", "
                            + n.height() + ", " + n.width() + ")");
        }
        return n.chw();
    }

    /** Where the weights are (resident bytes, expert buffers) and what streaming has cost so far. */
    public RuntimeReport runtimeReport() {
        return runtime.report();
    }

    @Override
    public void close() {
        runtime.close();
        if (ownsManager) {
            manager.close();
        }
    }

    /** Builder: {@code weights} is required; a config is required only for reference-format files. */
    public static final class Builder {
        private Path weights;
        private ModelConfig config;
        private Device device;
        private Integer threads;
        private Integer expertBuffers;
        private Long memoryBudget;
        private Map<Task, Map<Integer, long[]>> expertUsage = Map.of();

        /** An m3vit artifact or a reference-format safetensors file. */
        public Builder weights(Path w) {
            weights = w;
            return this;
        }

        /** The config: required for reference-format files; for an artifact, it must agree with the stored one. */
        public Builder config(ModelConfig c) {
            config = c;
            return this;
        }

        /** Where to run; default: the engine's default device (a GPU when DJL finds one). */
        public Builder device(Device d) {
            device = d;
            return this;
        }

        /** The engine's thread counts (effective only before the engine starts). */
        public Builder threads(int t) {
            threads = t;
            return this;
        }

        /**
         * Streams the experts through {@code n} buffers (at least 2: one computes while the next loads); only
         * the shared weights and the running task's routers and head stay resident.
         */
        public Builder expertBuffers(int n) {
            expertBuffers = n;
            return this;
        }

        /**
         * Streams the experts with as many buffers as fit in {@code bytes} next to the resident weights (the
         * shared ones and the largest task's routers and head); too small a budget for two buffers is an
         * error giving both sizes. With {@link #expertBuffers} too, those buffers must fit.
         */
        public Builder memoryBudget(long bytes) {
            memoryBudget = bytes;
            return this;
        }

        /**
         * Each task's expert usage (MoE block → tokens per expert, as training's expert_usage.json has it):
         * with more than two buffers, the running task's most used experts stay loaded.
         */
        public Builder expertUsage(Map<Task, Map<Integer, long[]>> usage) {
            expertUsage = usage == null ? Map.of() : usage;
            return this;
        }

        private boolean streamed() {
            return expertBuffers != null || memoryBudget != null;
        }

        public Predictor build() throws IOException {
            if (weights == null) {
                throw InvalidInputException.field("weights", "no weights file given");
            }
            if (threads != null) {
                EngineSettings.threads(threads);
            } else {
                EngineSettings.offline();
            }
            ModelConfig c = ModelArtifact.resolveConfig(weights, config);
            ModelArtifact.Info info = ModelArtifact.read(weights);
            Preprocessing pre =
                    info.selfDescribing() ? info.preprocessing() : Preprocessing.imagenet(c.imgHeight(), c.imgWidth());
            NDManager m = device == null ? NDManager.newBaseManager() : NDManager.newBaseManager(device);
            try {
                if (streamed()) {
                    MultiTaskModel model = new MultiTaskModel(c);
                    ExpertRuntime rt = ExpertRuntime.streamed(
                            model, weights, m, new StreamingOptions(expertBuffers, memoryBudget, expertUsage));
                    return new Predictor(m, true, model, pre, weights, rt);
                }
                MultiTaskModel model = new MultiTaskModel(c).initialize(m);
                try (WeightFile file = WeightFile.open(weights)) {
                    ModelWeights.load(model, file.tensors());
                }
                return new Predictor(m, true, model, pre, weights, ExpertRuntime.resident(model));
            } catch (RuntimeException | IOException e) {
                m.close();
                throw e;
            }
        }
    }
}
