package org.m3vit.train;

import com.google.gson.Gson;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.m3vit.config.ConfigLoader;
import org.m3vit.config.ModelConfig;
import org.m3vit.config.YamlValues;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.Task;
import org.m3vit.task.TaskSet;

/**
 * Reads the training keys of an experiment YAML into a {@link TrainConfig}: defaults, types, and errors
 * naming the key (ranges are checked by {@link TrainConfig} itself, so a builder-made config obeys them too).
 */
final class TrainConfigYaml {

    static final Set<String> OPTIMIZER_KEYS = Set.of("lr", "momentum", "weight_decay", "nesterov", "betas", "eps");
    static final Set<String> SCHEDULER_KEYS = Set.of("lr_decay_epochs", "lr_decay_rate", "warmup_steps");
    static final Set<String> LOSS_KEYS = Set.of("loss_scheme", "loss_weights");

    private TrainConfigYaml() {}

    /** Reads the file once; the model half and the training half come from the same document. */
    static TrainConfig load(Path file, Map<String, Object> overrides) throws IOException {
        Map<String, Object> document = YamlValues.load(file);
        ModelConfig model = ConfigLoader.parse(document, overrides);
        return parse(model, YamlValues.withOverrides(document, overrides));
    }

    private static TrainConfig parse(ModelConfig model, Map<String, Object> cfg) {
        Map<String, Object> opt = section(cfg, "optimizer_kwargs", OPTIMIZER_KEYS);
        Map<String, Object> sch = section(cfg, "scheduler_kwargs", SCHEDULER_KEYS);
        Map<String, Object> loss = section(cfg, "loss_kwargs", LOSS_KEYS);
        int trBatch = YamlValues.integer(cfg, "", "trBatch", 8);
        int valBatch = YamlValues.integer(cfg, "", "valBatch", 8);
        int epochs = YamlValues.integer(cfg, "", "epochs", 100);
        int workers = YamlValues.integer(cfg, "", "nworkers", 2);
        OptimizerKind optimizer = OptimizerKind.parse(YamlValues.string(cfg, "optimizer", "sgd"));
        float lr = (float) YamlValues.number(opt, "optimizer_kwargs.", "lr", 0.002);
        float momentum = (float) YamlValues.number(opt, "optimizer_kwargs.", "momentum", 0.9);
        float weightDecay = (float) YamlValues.number(opt, "optimizer_kwargs.", "weight_decay", 1e-4);
        if (Boolean.TRUE.equals(opt.get("nesterov"))) {
            throw InvalidInputException.key(
                    "optimizer_kwargs.nesterov",
                    "True is not supported (the reference" + " configs use plain momentum)");
        }
        float[] betas = {0.9f, 0.999f};
        if (opt.get("betas") != null) {
            if (!(opt.get("betas") instanceof List<?> l)
                    || l.size() != 2
                    || !(l.get(0) instanceof Number)
                    || !(l.get(1) instanceof Number)) {
                throw InvalidInputException.key(
                        "optimizer_kwargs.betas", "expected [beta1, beta2], got " + opt.get("betas"));
            }
            betas = new float[] {((Number) l.get(0)).floatValue(), ((Number) l.get(1)).floatValue()};
        }
        float eps = (float) YamlValues.number(opt, "optimizer_kwargs.", "eps", 1e-8);
        ScheduleKind scheduler = ScheduleKind.parse(YamlValues.string(cfg, "scheduler", "poly"));
        double warmup = YamlValues.number(sch, "scheduler_kwargs.", "warmup_steps", 0);
        if (warmup != Math.rint(warmup) || Math.abs(warmup) > 1e15) {
            throw InvalidInputException.key(
                    "scheduler_kwargs.warmup_steps", "expected a whole number of steps, got " + warmup);
        }
        long warmupSteps = (long) warmup;
        Map<Task, Float> lossWeights = lossWeights(model.tasks(), loss);
        Object td = cfg.get("task_dictionary");
        float edgePosWeight = (float)
                (td instanceof Map<?, ?> m && m.get("edge_w") != null
                        ? YamlValues.number(YamlValues.map(m, "task_dictionary"), "task_dictionary.", "edge_w", 0.95)
                        : 0.95);
        float auxWeight = (float) YamlValues.number(cfg, "", "moe_noisy_gate_loss_weight", 0.01);
        boolean evalFinal10EpochsOnly = YamlValues.bool(cfg, "", "eval_final_10_epochs_only", false);
        double gradClip = YamlValues.number(cfg, "", "grad_clip", 0);
        Object s = cfg.get("seed");
        if (s != null && !(s instanceof Integer) && !(s instanceof Long)) {
            throw InvalidInputException.key("seed", "expected an integer, got '" + s + "'");
        }
        long seed = s == null ? 0 : ((Number) s).longValue();
        String root = YamlValues.string(cfg, "data_root", null);
        Path dataRoot = root == null ? null : Path.of(root);
        String hash = TrainConfig.sha256(new Gson().toJson(sorted(cfg)));
        return new TrainConfig(
                model,
                trBatch,
                valBatch,
                epochs,
                workers,
                optimizer,
                lr,
                momentum,
                weightDecay,
                betas[0],
                betas[1],
                eps,
                scheduler,
                warmupSteps,
                lossWeights,
                edgePosWeight,
                auxWeight,
                evalFinal10EpochsOnly,
                gradClip,
                seed,
                dataRoot,
                hash);
    }

    /** The reference's loss weights (m3vit.md §6) for tasks the YAML leaves out. */
    static float defaultWeight(DatasetLayout dataset, Task t) {
        return t.spec().defaultLossWeight(dataset);
    }

    private static Map<Task, Float> lossWeights(TaskSet tasks, Map<String, Object> loss) {
        Map<Task, Float> out = new EnumMap<>(Task.class);
        for (Task t : tasks.tasks()) {
            out.put(t, defaultWeight(tasks.dataset(), t));
        }
        Object lw = loss.get("loss_weights");
        if (lw == null) {
            return out;
        }
        if (!(lw instanceof Map<?, ?> m)) {
            throw InvalidInputException.key("loss_kwargs.loss_weights", "expected a mapping task: weight, got " + lw);
        }
        for (var e : m.entrySet()) {
            String key = "loss_kwargs.loss_weights." + e.getKey();
            Task t;
            try {
                t = Task.parse(String.valueOf(e.getKey()));
            } catch (IllegalArgumentException ex) {
                throw InvalidInputException.key(key, "unknown task; expected one of " + tasks.ids());
            }
            if (!(e.getValue() instanceof Number n) || !(n.doubleValue() >= 0) || Double.isInfinite(n.doubleValue())) {
                throw InvalidInputException.key(key, "expected a finite number >= 0, got '" + e.getValue() + "'");
            }
            if (tasks.contains(t)) { // weights of disabled tasks are ignored, as in the reference
                out.put(t, n.floatValue());
            }
        }
        return out;
    }

    /** A section whose keys must be among {@code known}; every error names the dotted key. */
    private static Map<String, Object> section(Map<String, Object> cfg, String key, Set<String> known) {
        Map<String, Object> m = YamlValues.section(cfg, key);
        YamlValues.checkKeys(m, known, key + ".");
        return m;
    }

    private static Map<String, Object> sorted(Map<String, Object> m) {
        Map<String, Object> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v instanceof Map<?, ?> c ? sorted(YamlValues.map(c, k)) : v));
        return out;
    }
}
