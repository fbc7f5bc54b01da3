package org.m3vit.generalist.evidence;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.m3vit.config.YamlValues;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.generalist.GeneralistArtifact;
import org.m3vit.generalist.GeneralistConfig;
import org.m3vit.generalist.model.Prompts;
import org.m3vit.generalist.task.GeneralistTask;
import org.m3vit.generalist.task.TaskContext;
import org.m3vit.generalist.train.GeneralistTraining;
import org.m3vit.infer.Provenance;
import org.m3vit.nn.StateDict;
import org.m3vit.train.RunLayout;
import org.m3vit.train.TrainableModel;
import org.m3vit.train.TrainingLoop;

/**
 * Adapting a trained generalist to one task on a small fraction of its data, two ways, through the project's
 * {@link TrainingLoop} (one task, its train items of every class, {@code data_fraction} of them):
 *
 * <ul>
 *   <li>{@link Mode#PROMPT}: prompt tuning (§6.4). {@code prompt_tokens} learned tokens for the task are
 *       appended to its inputs; the encoder is frozen ({@link Parameter#freeze}) except what the reference
 *       keeps trainable: parameters whose name contains {@code norm}, {@code ln_post} or
 *       {@code logit_scale} (its {@code similarity_weight}). Experts, gates, attention and FFN weights stay.
 *   <li>{@link Mode#FULL}: full fine-tuning of every parameter on the same data and schedule.
 * </ul>
 *
 * The loop's optimizer and clipping update only parameters that require gradients, so freezing is all it
 * takes. The model is modified in place: callers load a fresh copy per run.
 */
public final class PromptTuning {

    private PromptTuning() {}

    public enum Mode {
        PROMPT,
        FULL
    }

    /** The name parts of the parameters prompt tuning keeps trainable (the reference's list, where we have them). */
    static final List<String> TRAINABLE = List.of("norm", "ln_post", "logit_scale");

    public record Options(
            Mode mode, String task, int promptTokens, double dataFraction, int steps, int batch, float lr, long seed) {}

    /**
     * @param trainable parameters updated (elements)
     * @param frozen parameters left unchanged (elements)
     */
    public record Result(
            Mode mode, String task, int trainItems, int steps, long trainable, long frozen, double seconds) {}

    /** Whether prompt tuning trains the model parameter {@code name}. */
    public static boolean trainedByPrompting(String name) {
        for (String t : TRAINABLE) {
            if (name.contains(t)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Tunes {@code loaded}'s model in place through {@code ctx} (a context over the same model).
     *
     * @return the result and, through {@code tuned}, the context to evaluate the tuned model with (with the
     *     prompts for {@link Mode#PROMPT})
     */
    public static Result run(
            GeneralistArtifact.Loaded loaded,
            TaskContext ctx,
            Options o,
            Path runDir,
            NDManager manager,
            TaskContext[] tuned)
            throws IOException {
        long start = System.nanoTime();
        GeneralistTask task = GeneralistTask.find(o.task())
                .orElseThrow(() -> InvalidInputException.field("task", "unknown task '" + o.task() + "'"));
        GeneralistConfig config = config(loaded.config(), o);
        Map<String, Parameter> parameters = new LinkedHashMap<>(StateDict.parameters(loaded.model()));
        TaskContext context = ctx;
        long trainable = 0;
        long frozen = 0;
        if (o.mode() == Mode.PROMPT) {
            Prompts prompts = new Prompts(
                    loaded.model().tasks(),
                    o.promptTokens(),
                    loaded.model().config().embedDim());
            prompts.initialize(manager);
            for (var e : parameters.entrySet()) {
                boolean train = trainedByPrompting(e.getKey());
                e.getValue().freeze(!train);
                if (train) {
                    trainable += e.getValue().getArray().size();
                } else {
                    frozen += e.getValue().getArray().size();
                }
            }
            for (var e : StateDict.parameters(prompts).entrySet()) {
                parameters.put("prompts." + e.getKey(), e.getValue());
                trainable += e.getValue().getArray().size();
            }
            context = ctx.with(ctx.encoder().withPrompts(prompts));
        } else {
            for (Parameter p : parameters.values()) {
                p.freeze(false);
                trainable += p.getArray().size();
            }
        }
        Map<String, Parameter> all = Map.copyOf(parameters);
        TrainableModel model = new TrainableModel() {
            @Override
            public Map<String, Parameter> parameters() {
                return all;
            }

            @Override
            public List<String> taskIds() {
                return List.of(task.id());
            }

            @Override
            public void saveArtifact(Path file, Provenance provenance) {
                throw new UnsupportedOperationException("tuned models are evaluated in place, not saved");
            }

            @Override
            public void loadWeights(Path file) {
                throw new UnsupportedOperationException("tuned models are evaluated in place, not loaded");
            }

            @Override
            public String selectionMetric() {
                return "score";
            }
        };
        int items = org.m3vit.generalist.train.TaskSampler.eligible(config, ctx.corpus(), task).length;
        TrainingLoop<?> loop = GeneralistTraining.loop(config, model, context, new RunLayout(runDir), manager, false);
        loop.fit(1);
        tuned[0] = context;
        return new Result(o.mode(), task.id(), items, o.steps(), trainable, frozen, (System.nanoTime() - start) / 1e9);
    }

    /** The artifact's config for one task, every class, a fraction of the data, one epoch of {@code steps}. */
    static GeneralistConfig config(GeneralistConfig base, Options o) {
        if (o.steps() < 1 || o.batch() < 1 || o.promptTokens() < 1) {
            throw InvalidInputException.field("prompt tuning", "steps, batch and prompt tokens must be >= 1");
        }
        Map<String, Object> doc = YamlValues.deepCopy(base.document());
        Map<String, Object> train = YamlValues.map(doc.get("train"), "train");
        train.remove("hold_out");
        Map<String, Object> weights = new LinkedHashMap<>();
        weights.put("sample_weight", 1);
        weights.put("loss_weight", 1);
        Map<String, Object> tasks = new LinkedHashMap<>();
        tasks.put(o.task(), weights);
        train.put("tasks", tasks);
        train.put("data_fraction", o.dataFraction());
        train.put("epochs", 1);
        train.put("steps_per_epoch", o.steps());
        train.put("batch_size", o.batch());
        train.put("warmup_steps", Math.max(1, o.steps() / 10));
        train.put("seed", o.seed());
        Map<String, Object> opt = new LinkedHashMap<>(
                YamlValues.map(train.getOrDefault("optimizer", new LinkedHashMap<>()), "train.optimizer"));
        opt.put("lr", (double) o.lr());
        train.put("optimizer", opt);
        doc.put("train", train);
        return GeneralistConfig.parse(doc);
    }
}
