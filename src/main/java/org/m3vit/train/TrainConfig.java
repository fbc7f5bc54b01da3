package org.m3vit.train;

import com.google.gson.Gson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.m3vit.config.ConfigLoader;
import org.m3vit.config.ModelConfig;
import org.m3vit.task.Dataset;
import org.m3vit.task.Task;
import org.m3vit.task.TaskSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * The training half of an experiment YAML (reference keys trBatch, valBatch, epochs, optimizer,
 * optimizer_kwargs, scheduler, scheduler_kwargs, loss_kwargs, eval_final_10_epochs_only, plus m3vit's
 * data_root, seed, grad_clip, moe_noisy_gate_loss_weight). The model half is {@link ConfigLoader}'s; both
 * read the same file with the same dotted overrides, so a CLI flag changes one place. Every error names
 * the key.
 */
public final class TrainConfig {

    static final Set<String> OPTIMIZER_KEYS = Set.of("lr", "momentum", "weight_decay", "nesterov", "betas", "eps");
    static final Set<String> SCHEDULER_KEYS = Set.of("lr_decay_epochs", "lr_decay_rate", "warmup_steps");
    static final Set<String> LOSS_KEYS = Set.of("loss_scheme", "loss_weights");

    public final ModelConfig model;
    public final int trBatch;
    public final int valBatch;
    public final int epochs;
    public final String optimizer;
    public final float lr;
    public final float momentum;
    public final float weightDecay;
    public final float beta1;
    public final float beta2;
    public final float eps;
    public final String scheduler;
    public final long warmupSteps;
    public final Map<Task, Float> lossWeights;
    public final float edgePosWeight;
    public final float auxWeight;
    public final boolean evalFinal10EpochsOnly;
    public final double gradClip;
    public final long seed;
    public final int workers;
    public final Path dataRoot;
    /** SHA-256 of the effective configuration (file + overrides), stored in checkpoints. */
    public final String hash;

    private TrainConfig(ModelConfig model, Map<String, Object> cfg) {
        this.model = model;
        Map<String, Object> opt = section(cfg, "optimizer_kwargs", OPTIMIZER_KEYS);
        Map<String, Object> sch = section(cfg, "scheduler_kwargs", SCHEDULER_KEYS);
        Map<String, Object> loss = section(cfg, "loss_kwargs", LOSS_KEYS);
        trBatch = positive(cfg, "", "trBatch", 8);
        valBatch = positive(cfg, "", "valBatch", 8);
        epochs = positive(cfg, "", "epochs", 100);
        workers = positive(cfg, "", "nworkers", 2);
        optimizer = string(cfg, "optimizer", "sgd").toLowerCase(Locale.ROOT);
        if (!optimizer.equals("sgd") && !optimizer.equals("adamw")) {
            throw new IllegalArgumentException("optimizer: '" + optimizer + "' is not supported; expected sgd or adamw");
        }
        lr = (float) number(opt, "optimizer_kwargs.", "lr", 0.002);
        if (!(lr > 0)) {
            throw new IllegalArgumentException("optimizer_kwargs.lr: must be > 0, got " + lr);
        }
        momentum = (float) number(opt, "optimizer_kwargs.", "momentum", 0.9);
        weightDecay = (float) number(opt, "optimizer_kwargs.", "weight_decay", 1e-4);
        if (Boolean.TRUE.equals(opt.get("nesterov"))) {
            throw new IllegalArgumentException("optimizer_kwargs.nesterov: True is not supported (the reference configs"
                    + " use plain momentum)");
        }
        float[] betas = {0.9f, 0.999f};
        if (opt.get("betas") != null) {
            if (!(opt.get("betas") instanceof java.util.List<?> l) || l.size() != 2 || !(l.get(0) instanceof Number)
                    || !(l.get(1) instanceof Number)) {
                throw new IllegalArgumentException("optimizer_kwargs.betas: expected [beta1, beta2], got "
                        + opt.get("betas"));
            }
            betas = new float[] {((Number) l.get(0)).floatValue(), ((Number) l.get(1)).floatValue()};
        }
        beta1 = betas[0];
        beta2 = betas[1];
        eps = (float) number(opt, "optimizer_kwargs.", "eps", 1e-8);
        scheduler = string(cfg, "scheduler", "poly").toLowerCase(Locale.ROOT);
        if (!scheduler.equals("poly") && !scheduler.equals("cosine")) {
            throw new IllegalArgumentException("scheduler: '" + scheduler + "' is not supported; expected poly or cosine");
        }
        warmupSteps = (long) number(sch, "scheduler_kwargs.", "warmup_steps", 0);
        lossWeights = lossWeights(model.tasks(), loss);
        Object td = cfg.get("task_dictionary");
        edgePosWeight = (float) (td instanceof Map<?, ?> m && m.get("edge_w") != null
                ? number(castMap(m), "task_dictionary.", "edge_w", 0.95) : 0.95);
        auxWeight = (float) number(cfg, "", "moe_noisy_gate_loss_weight", 0.01);
        evalFinal10EpochsOnly = bool(cfg, "eval_final_10_epochs_only", false);
        gradClip = number(cfg, "", "grad_clip", 0);
        if (gradClip < 0) {
            throw new IllegalArgumentException("grad_clip: must be >= 0 (0 = off), got " + gradClip);
        }
        Object s = cfg.get("seed");
        if (s != null && !(s instanceof Integer) && !(s instanceof Long)) {
            throw new IllegalArgumentException("seed: expected an integer, got '" + s + "'");
        }
        seed = s == null ? 0 : ((Number) s).longValue();
        String root = string(cfg, "data_root", null);
        dataRoot = root == null ? null : Path.of(root);
        hash = sha256(new Gson().toJson(sorted(cfg)));
    }

    /** Reads {@code file}, applies dotted {@code overrides} (null values are ignored) and validates both halves. */
    public static TrainConfig load(Path file, Map<String, Object> overrides) throws IOException {
        ModelConfig model = ConfigLoader.load(file, overrides);
        Object root;
        try {
            root = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file, StandardCharsets.UTF_8));
        } catch (YAMLException e) {
            throw new IllegalArgumentException("config file " + file + " is not valid YAML: " + e.getMessage());
        }
        Map<String, Object> cfg = deepCopy(castMap((Map<?, ?>) root));
        for (var o : overrides.entrySet()) {
            if (o.getValue() != null) {
                put(cfg, o.getKey(), o.getValue());
            }
        }
        return new TrainConfig(model, cfg);
    }

    /** The reference's loss weights (m3vit.md §6) for tasks the YAML leaves out. */
    static float defaultWeight(Dataset dataset, Task t) {
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
            throw new IllegalArgumentException("loss_kwargs.loss_weights: expected a mapping task: weight, got " + lw);
        }
        for (var e : m.entrySet()) {
            String key = "loss_kwargs.loss_weights." + e.getKey();
            Task t;
            try {
                t = Task.parse(String.valueOf(e.getKey()));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(key + ": unknown task; expected one of " + tasks.ids());
            }
            if (!(e.getValue() instanceof Number n) || !(n.doubleValue() >= 0) || Double.isInfinite(n.doubleValue())) {
                throw new IllegalArgumentException(key + ": expected a finite number >= 0, got '" + e.getValue() + "'");
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
            throw new IllegalArgumentException(key + ": expected a mapping of keys, got '" + v + "'");
        }
        for (Object k : m.keySet()) {
            if (!known.contains(String.valueOf(k))) {
                throw new IllegalArgumentException("unknown config key " + key + "." + k + "; known under " + key + ": "
                        + new java.util.TreeSet<>(known));
            }
        }
        return castMap(m);
    }

    private static int positive(Map<String, Object> m, String prefix, String key, int dflt) {
        Object v = m.get(key);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof Integer i) || i < 1) {
            throw new IllegalArgumentException(prefix + key + ": expected a positive integer, got '" + v + "'");
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
        throw new IllegalArgumentException(prefix + key + ": expected a finite number, got '" + v + "'");
    }

    private static String string(Map<String, Object> m, String key, String dflt) {
        Object v = m.get(key);
        if (v == null) {
            return dflt;
        }
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException(key + ": expected a string, got '" + v + "'");
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
        throw new IllegalArgumentException(key + ": expected True or False, got '" + v + "'");
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
                throw new IllegalArgumentException(parts[i] + ": expected a mapping of keys, got '" + child + "'");
            }
            m = castMap(c);
        }
        m.put(parts[parts.length - 1], value);
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
