package org.m3vit.train;

import com.google.gson.Gson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.m3vit.config.ConfigLoader;
import org.m3vit.config.ModelConfig;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.task.Dataset;
import org.m3vit.task.Task;
import org.m3vit.task.TaskSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads the training keys of an experiment YAML into a {@link TrainConfig}: defaults, types, and errors
 * naming the key (ranges are checked by {@link TrainConfig} itself, so a builder-made config obeys them too).
 */
final class TrainConfigYaml {

    static final Set<String> OPTIMIZER_KEYS = Set.of("lr", "momentum", "weight_decay", "nesterov", "betas", "eps");
    static final Set<String> SCHEDULER_KEYS = Set.of("lr_decay_epochs", "lr_decay_rate", "warmup_steps");
    static final Set<String> LOSS_KEYS = Set.of("loss_scheme", "loss_weights");

    private TrainConfigYaml() {}

    static TrainConfig load(Path file, Map<String, Object> overrides) throws IOException {
        ModelConfig model = ConfigLoader.load(file, overrides);
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file, StandardCharsets.UTF_8));
        } catch (YAMLException e) {
            throw new InvalidInputException(InvalidInputException.Kind.FILE, file.toString(),
                    "config file " + file + " is not valid YAML: " + e.getMessage());
        }
        Map<String, Object> cfg = deepCopy(castMap((Map<?, ?>) root));
        for (var o : overrides.entrySet()) {
            if (o.getValue() != null) {
                put(cfg, o.getKey(), o.getValue());
            }
        }
        return parse(model, cfg);
    }

    private static TrainConfig parse(ModelConfig model, Map<String, Object> cfg) {
        Map<String, Object> opt = section(cfg, "optimizer_kwargs", OPTIMIZER_KEYS);
        Map<String, Object> sch = section(cfg, "scheduler_kwargs", SCHEDULER_KEYS);
        Map<String, Object> loss = section(cfg, "loss_kwargs", LOSS_KEYS);
        int trBatch = integer(cfg, "trBatch", 8);
        int valBatch = integer(cfg, "valBatch", 8);
        int epochs = integer(cfg, "epochs", 100);
        int workers = integer(cfg, "nworkers", 2);
        OptimizerKind optimizer = OptimizerKind.parse(string(cfg, "optimizer", "sgd"));
        float lr = (float) number(opt, "optimizer_kwargs.", "lr", 0.002);
        float momentum = (float) number(opt, "optimizer_kwargs.", "momentum", 0.9);
        float weightDecay = (float) number(opt, "optimizer_kwargs.", "weight_decay", 1e-4);
        if (Boolean.TRUE.equals(opt.get("nesterov"))) {
            throw InvalidInputException.key("optimizer_kwargs.nesterov", "True is not supported (the reference"
                    + " configs use plain momentum)");
        }
        float[] betas = {0.9f, 0.999f};
        if (opt.get("betas") != null) {
            if (!(opt.get("betas") instanceof List<?> l) || l.size() != 2 || !(l.get(0) instanceof Number)
                    || !(l.get(1) instanceof Number)) {
                throw InvalidInputException.key("optimizer_kwargs.betas", "expected [beta1, beta2], got "
                        + opt.get("betas"));
            }
            betas = new float[] {((Number) l.get(0)).floatValue(), ((Number) l.get(1)).floatValue()};
        }
        float eps = (float) number(opt, "optimizer_kwargs.", "eps", 1e-8);
        ScheduleKind scheduler = ScheduleKind.parse(string(cfg, "scheduler", "poly"));
        long warmupSteps = (long) number(sch, "scheduler_kwargs.", "warmup_steps", 0);
        Map<Task, Float> lossWeights = lossWeights(model.tasks(), loss);
        Object td = cfg.get("task_dictionary");
        float edgePosWeight = (float) (td instanceof Map<?, ?> m && m.get("edge_w") != null
                ? number(castMap(m), "task_dictionary.", "edge_w", 0.95) : 0.95);
        float auxWeight = (float) number(cfg, "", "moe_noisy_gate_loss_weight", 0.01);
        boolean evalFinal10EpochsOnly = bool(cfg, "eval_final_10_epochs_only", false);
        double gradClip = number(cfg, "", "grad_clip", 0);
        Object s = cfg.get("seed");
        if (s != null && !(s instanceof Integer) && !(s instanceof Long)) {
            throw InvalidInputException.key("seed", "expected an integer, got '" + s + "'");
        }
        long seed = s == null ? 0 : ((Number) s).longValue();
        String root = string(cfg, "data_root", null);
        Path dataRoot = root == null ? null : Path.of(root);
        String hash = TrainConfig.sha256(new Gson().toJson(sorted(cfg)));
        return new TrainConfig(model, trBatch, valBatch, epochs, workers, optimizer, lr, momentum, weightDecay,
                betas[0], betas[1], eps, scheduler, warmupSteps, lossWeights, edgePosWeight, auxWeight,
                evalFinal10EpochsOnly, gradClip, seed, dataRoot, hash);
    }

    /** The reference's loss weights (m3vit.md §6) for tasks the YAML leaves out. */
    static float defaultWeight(Dataset dataset, Task t) {
        return switch (t) {
            case SEMSEG, DEPTH -> 1f;
            case HUMAN_PARTS -> 2f;
            case SAL -> 5f;
            case NORMALS -> 10f;
            case EDGE -> 50f;
        };
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

    // ---- typed access; every error names the key ----

    private static Map<String, Object> section(Map<String, Object> cfg, String key, Set<String> known) {
        Object v = cfg.get(key);
        if (v == null) {
            return new LinkedHashMap<>();
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw InvalidInputException.key(key, "expected a mapping of keys, got '" + v + "'");
        }
        for (Object k : m.keySet()) {
            if (!known.contains(String.valueOf(k))) {
                throw new InvalidInputException(InvalidInputException.Kind.CONFIG_KEY, key + "." + k,
                        "unknown config key " + key + "." + k + "; known under " + key + ": " + new TreeSet<>(known));
            }
        }
        return castMap(m);
    }

    /** An integer key; {@link TrainConfig} checks that it is positive, with the same message. */
    private static int integer(Map<String, Object> m, String key, int dflt) {
        Object v = m.get(key);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Integer i)) {
            throw InvalidInputException.key(key, "expected a positive integer, got '" + v + "'");
        }
        return i;
    }

    private static double number(Map<String, Object> m, String prefix, String key, double dflt) {
        Object v = m.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof String str) { // YAML 1.1 reads 1e-4 (no dot) as a string
            try {
                v = Double.parseDouble(str.trim());
            } catch (NumberFormatException e) {
                // fall through to the error
            }
        }
        if (v instanceof Number n && Double.isFinite(n.doubleValue())) {
            return n.doubleValue();
        }
        throw InvalidInputException.key(prefix + key, "expected a finite number, got '" + v + "'");
    }

    private static String string(Map<String, Object> m, String key, String dflt) {
        Object v = m.get(key);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof String s)) {
            throw InvalidInputException.key(key, "expected a string, got '" + v + "'");
        }
        return s.trim();
    }

    private static boolean bool(Map<String, Object> m, String key, boolean dflt) {
        Object v = m.get(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        String s = String.valueOf(v).trim().toLowerCase(Locale.ROOT).replaceAll(",$", "");
        if (s.equals("true") || s.equals("false")) {
            return s.equals("true");
        }
        throw InvalidInputException.key(key, "expected True or False, got '" + v + "'");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    private static Map<String, Object> deepCopy(Map<String, Object> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, v instanceof Map<?, ?> c ? deepCopy(castMap(c)) : v));
        return out;
    }

    private static Map<String, Object> sorted(Map<String, Object> m) {
        Map<String, Object> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v instanceof Map<?, ?> c ? sorted(castMap(c)) : v));
        return out;
    }

    private static void put(Map<String, Object> cfg, String dotted, Object value) {
        String[] parts = dotted.split("\\.");
        Map<String, Object> m = cfg;
        for (int i = 0; i < parts.length - 1; i++) {
            Object child = m.computeIfAbsent(parts[i], k -> new LinkedHashMap<String, Object>());
            if (!(child instanceof Map<?, ?> c)) {
                throw InvalidInputException.key(parts[i], "expected a mapping of keys, got '" + child + "'");
            }
            m = castMap(c);
        }
        m.put(parts[parts.length - 1], value);
    }
}
