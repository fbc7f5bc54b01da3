package org.m3vit.generalist;

import com.google.gson.Gson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.m3vit.config.YamlValues;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.generalist.task.GeneralistTask;
import org.m3vit.moe.Dispatchers;
import org.m3vit.moe.ExpertKind;
import org.m3vit.moe.GateType;
import org.m3vit.moe.MoeSpec;
import org.m3vit.moe.RoutingConditions;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * A generalist experiment YAML ({@code configs/generalist/*.yml}): the {@code model} section (sizes, the
 * conditional MoE) and the {@code train} section (batch, schedule, optimizer, one entry per task with its
 * sampling and loss weight). Read through {@link YamlValues}, with dotted overrides; every error names the
 * dotted key. Immutable.
 */
public record GeneralistConfig(Model model, Train train, Map<String, Object> document) {

    /** The model section. */
    public record Model(
            int embedDim,
            int depth,
            int heads,
            int mlpHidden,
            int patch,
            int imageHeight,
            int imageWidth,
            int frames,
            int textLength,
            boolean meanPool,
            boolean moe,
            MoeSpec moeSpec,
            List<Integer> moeLayers,
            boolean attentionMoe) {

        public int gridHeight() {
            return imageHeight / patch;
        }

        public int gridWidth() {
            return imageWidth / patch;
        }

        public int patches() {
            return gridHeight() * gridWidth();
        }

        /** Whether the routing decision depends on the tokens (token, context), so experts cannot be merged. */
        public boolean contentDependentRouting() {
            return moeSpec.contentDependent();
        }

        public boolean isMoeLayer(int block) {
            return moe && moeLayers.contains(block);
        }

        @Override
        public String toString() {
            return "generalist(D=" + embedDim + ", depth=" + depth + ", heads=" + heads + ", hidden=" + mlpHidden
                    + ", patch=" + patch + ", image=" + imageHeight + "x" + imageWidth + ", frames=" + frames
                    + (meanPool ? ", mean pool" : "")
                    + (moe
                            ? ", moe=" + moeSpec.routing() + " routing, E=" + moeSpec.experts() + ", k="
                                    + moeSpec.topK() + " on blocks " + moeLayers
                                    + (attentionMoe ? " (attn+ffn)" : " (ffn)")
                            : ", dense")
                    + ")";
        }
    }

    /** One task's weights. */
    public record TaskWeights(double sampleWeight, float lossWeight) {}

    /** The train section. */
    public record Train(
            long seed,
            int batchSize,
            int epochs,
            int stepsPerEpoch,
            float lr,
            float weightDecay,
            float beta1,
            float beta2,
            float eps,
            long warmupSteps,
            double gradClip,
            float auxWeight,
            int valItems,
            Map<String, TaskWeights> tasks,
            Map<String, List<String>> holdOut,
            double dataFraction) {}

    static final Set<String> TOP = Set.of("model", "train");
    static final Set<String> MODEL_KEYS = Set.of(
            "embed_dim",
            "depth",
            "num_heads",
            "mlp_ratio",
            "patch_size",
            "image_size",
            "frames",
            "text_length",
            "pool",
            "moe");
    static final Set<String> MOE_KEYS = Set.of(
            "enabled",
            "routing",
            "experts",
            "top_k",
            "layers",
            "noise_std",
            "capacity_factor",
            "gate",
            "attention",
            "ffn_experts",
            "dispatch");
    static final Set<String> TRAIN_KEYS = Set.of(
            "seed",
            "batch_size",
            "epochs",
            "steps_per_epoch",
            "optimizer",
            "warmup_steps",
            "grad_clip",
            "aux_weight",
            "val_items",
            "tasks",
            "hold_out",
            "data_fraction");
    static final Set<String> OPTIMIZER_KEYS = Set.of("lr", "weight_decay", "betas", "eps");
    static final Set<String> TASK_KEYS = Set.of("sample_weight", "loss_weight");

    public static GeneralistConfig load(Path file, Map<String, Object> overrides) throws IOException {
        return parse(YamlValues.withOverrides(YamlValues.load(file), overrides));
    }

    /** Parses a whole document (as loaded, overrides applied). */
    public static GeneralistConfig parse(Map<String, Object> doc) {
        YamlValues.checkKeys(doc, TOP, "");
        Map<String, Object> m = YamlValues.section(doc, "model");
        YamlValues.checkKeys(m, MODEL_KEYS, "model.");
        int dim = positive(m, "model.", "embed_dim", 64);
        int depth = positive(m, "model.", "depth", 4);
        int heads = positive(m, "model.", "num_heads", 4);
        if (dim % heads != 0) {
            throw InvalidInputException.key(
                    "model.embed_dim", "must be divisible by model.num_heads (" + heads + "), got " + dim);
        }
        double ratio = YamlValues.number(m, "model.", "mlp_ratio", 4);
        if (!(ratio > 0)) {
            throw InvalidInputException.key("model.mlp_ratio", "must be > 0, got " + ratio);
        }
        int patch = positive(m, "model.", "patch_size", 8);
        int[] size = YamlValues.size(m, "model.image_size", new int[] {32, 32});
        if (size[0] < patch || size[1] < patch || size[0] % patch != 0 || size[1] % patch != 0) {
            throw InvalidInputException.key(
                    "model.image_size",
                    "must be a positive multiple of model.patch_size (" + patch + ") in both sides, got " + size[0]
                            + "x" + size[1]);
        }
        int frames = positive(m, "model.", "frames", 4);
        int textLength = positive(m, "model.", "text_length", 24);
        String pool = YamlValues.string(m, "model.pool", "spe");
        if (!pool.equals("spe") && !pool.equals("mean")) {
            throw InvalidInputException.key("model.pool", "expected spe or mean, got '" + pool + "'");
        }
        Map<String, Object> moe = YamlValues.section(m, "moe");
        YamlValues.checkKeys(moe, MOE_KEYS, "model.moe.");
        boolean enabled = YamlValues.bool(moe, "model.moe.", "enabled", true);
        String routing = YamlValues.string(moe, "model.moe.routing", "attribute");
        try {
            RoutingConditions.check(routing);
        } catch (InvalidInputException e) {
            throw InvalidInputException.key("model.moe.routing", e.getMessage());
        }
        if (routing.equals("task_conditioned")) {
            throw InvalidInputException.key(
                    "model.moe.routing",
                    "task_conditioned is M³ViT's; the generalist routes at the token, context, modality, task or"
                            + " attribute level");
        }
        int experts = positive(moe, "model.moe.", "experts", 8);
        int topK = positive(moe, "model.moe.", "top_k", 2);
        if (topK > experts) {
            throw InvalidInputException.key(
                    "model.moe.top_k", "must be <= model.moe.experts (" + experts + "), got " + topK);
        }
        double noise = YamlValues.number(moe, "model.moe.", "noise_std", 1.0);
        double capacity = YamlValues.number(moe, "model.moe.", "capacity_factor", 0);
        GateType gate;
        String dispatch = YamlValues.string(moe, "model.moe.dispatch", Dispatchers.REORDERED);
        boolean ffnExperts = YamlValues.bool(moe, "model.moe.", "ffn_experts", false);
        MoeSpec spec;
        try {
            gate = GateType.parse(YamlValues.string(moe, "model.moe.gate", GateType.TOPK_SOFTMAX.id()));
            spec = new MoeSpec(
                    experts,
                    topK,
                    gate,
                    (float) noise,
                    routing,
                    false,
                    -1,
                    dispatch,
                    capacity,
                    false,
                    ffnExperts ? ExpertKind.FFN : ExpertKind.LINEAR);
        } catch (InvalidInputException e) {
            throw InvalidInputException.key("model.moe." + e.subject(), e.getMessage());
        }
        List<Integer> layers = layers(moe.get("layers"), depth);
        boolean attention = YamlValues.bool(moe, "model.moe.", "attention", true);

        Map<String, Object> t = YamlValues.section(doc, "train");
        YamlValues.checkKeys(t, TRAIN_KEYS, "train.");
        Object seedValue = t.get("seed");
        if (seedValue != null && !(seedValue instanceof Integer) && !(seedValue instanceof Long)) {
            throw InvalidInputException.key("train.seed", "expected an integer, got " + YamlValues.describe(seedValue));
        }
        long seed = seedValue == null ? 0 : ((Number) seedValue).longValue();
        Map<String, Object> opt = YamlValues.section(t, "optimizer");
        YamlValues.checkKeys(opt, OPTIMIZER_KEYS, "train.optimizer.");
        float lr = (float) YamlValues.number(opt, "train.optimizer.", "lr", 1e-3);
        if (!(lr > 0)) {
            throw InvalidInputException.key("train.optimizer.lr", "must be > 0, got " + lr);
        }
        float wd = (float) YamlValues.number(opt, "train.optimizer.", "weight_decay", 0.05);
        if (!(wd >= 0)) {
            throw InvalidInputException.key("train.optimizer.weight_decay", "must be >= 0, got " + wd);
        }
        float[] betas = {0.9f, 0.95f};
        Object b = opt.get("betas");
        if (b != null) {
            if (!(b instanceof List<?> l)
                    || l.size() != 2
                    || !(l.get(0) instanceof Number b1)
                    || !(l.get(1) instanceof Number b2)
                    || !(b1.doubleValue() >= 0 && b1.doubleValue() < 1)
                    || !(b2.doubleValue() >= 0 && b2.doubleValue() < 1)) {
                throw InvalidInputException.key(
                        "train.optimizer.betas", "expected [beta1, beta2] in [0, 1), got " + YamlValues.describe(b));
            }
            betas = new float[] {b1.floatValue(), b2.floatValue()};
        }
        float eps = (float) YamlValues.number(opt, "train.optimizer.", "eps", 1e-8);
        double gradClip = YamlValues.number(t, "train.", "grad_clip", 1.0);
        if (!(gradClip >= 0)) {
            throw InvalidInputException.key("train.grad_clip", "must be >= 0 (0 = off), got " + gradClip);
        }
        float aux = (float) YamlValues.number(t, "train.", "aux_weight", 0.01);
        if (!(aux >= 0)) {
            throw InvalidInputException.key("train.aux_weight", "must be >= 0, got " + aux);
        }
        int warmup = YamlValues.integer(t, "train.", "warmup_steps", 0);
        if (warmup < 0) {
            throw InvalidInputException.key("train.warmup_steps", "must be >= 0, got " + warmup);
        }
        Map<String, TaskWeights> tasks = tasks(t.get("tasks"));
        double fraction = YamlValues.number(t, "train.", "data_fraction", 1.0);
        if (!(fraction > 0 && fraction <= 1)) {
            throw InvalidInputException.key("train.data_fraction", "must be in (0, 1], got " + fraction);
        }
        Train train = new Train(
                seed,
                positive(t, "train.", "batch_size", 16),
                positive(t, "train.", "epochs", 10),
                positive(t, "train.", "steps_per_epoch", 50),
                lr,
                wd,
                betas[0],
                betas[1],
                eps,
                warmup,
                gradClip,
                aux,
                positive(t, "train.", "val_items", 200),
                tasks,
                holdOut(t.get("hold_out")),
                fraction);
        Model model = new Model(
                dim,
                depth,
                heads,
                (int) Math.round(dim * ratio),
                patch,
                size[0],
                size[1],
                frames,
                textLength,
                pool.equals("mean"),
                enabled,
                spec,
                layers,
                attention);
        return new GeneralistConfig(model, train, YamlValues.deepCopy(doc));
    }

    private static int positive(Map<String, Object> m, String prefix, String key, int dflt) {
        int v = YamlValues.integer(m, prefix, key, dflt);
        if (v < 1) {
            throw InvalidInputException.key(prefix + key, "expected a positive integer, got " + v);
        }
        return v;
    }

    /** {@code odd} (the default: every other layer, as Uni-Perceiver-MoE), {@code even}, {@code all} or a list. */
    private static List<Integer> layers(Object v, int depth) {
        List<Integer> out = new ArrayList<>();
        if (v == null || v.equals("odd") || v.equals("even") || v.equals("all")) {
            for (int i = 0; i < depth; i++) {
                if (v == null || v.equals("odd") ? i % 2 == 1 : v.equals("even") ? i % 2 == 0 : true) {
                    out.add(i);
                }
            }
            return List.copyOf(out);
        }
        if (v instanceof List<?> l) {
            for (Object o : l) {
                if (!(o instanceof Integer i) || i < 0 || i >= depth || out.contains(i)) {
                    throw InvalidInputException.key(
                            "model.moe.layers",
                            "expected distinct block indices in [0, " + depth + "), got " + YamlValues.describe(v));
                }
                out.add(i);
            }
            out.sort(null);
            return List.copyOf(out);
        }
        throw InvalidInputException.key(
                "model.moe.layers",
                "expected odd, even, all or a list of block indices, got " + YamlValues.describe(v));
    }

    /**
     * {@code train.hold_out: {task: [class name, ...]}}: classes a classification task never trains on (its
     * train items of those classes are skipped), kept for the zero-shot evaluation. The names are checked
     * against the corpus when the sampler opens it.
     */
    private static Map<String, List<String>> holdOut(Object v) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (v == null) {
            return out;
        }
        Map<String, Object> m = YamlValues.map(v, "train.hold_out");
        for (var e : m.entrySet()) {
            String key = "train.hold_out." + e.getKey();
            GeneralistTask.find(e.getKey())
                    .orElseThrow(() ->
                            InvalidInputException.key(key, "unknown task; expected some of " + GeneralistTask.ids()));
            if (!(e.getValue() instanceof List<?> l) || l.isEmpty()) {
                throw InvalidInputException.key(
                        key, "expected a non-empty list of class names, got " + YamlValues.describe(e.getValue()));
            }
            List<String> names = new ArrayList<>();
            for (Object o : l) {
                if (!(o instanceof String name) || names.contains(name)) {
                    throw InvalidInputException.key(
                            key, "expected distinct class names (strings), got " + YamlValues.describe(e.getValue()));
                }
                names.add(name);
            }
            out.put(e.getKey(), List.copyOf(names));
        }
        return out;
    }

    private static Map<String, TaskWeights> tasks(Object v) {
        Map<String, TaskWeights> out = new LinkedHashMap<>();
        if (v == null) {
            for (GeneralistTask task : GeneralistTask.all()) {
                out.put(task.id(), new TaskWeights(1, task.defaultLossWeight()));
            }
            return out;
        }
        Map<String, Object> m = YamlValues.map(v, "train.tasks");
        for (String id : m.keySet()) {
            String key = "train.tasks." + id;
            GeneralistTask task = GeneralistTask.find(id)
                    .orElseThrow(() ->
                            InvalidInputException.key(key, "unknown task; expected some of " + GeneralistTask.ids()));
            Map<String, Object> w = m.get(id) == null ? new LinkedHashMap<>() : YamlValues.map(m.get(id), key);
            YamlValues.checkKeys(w, TASK_KEYS, key + ".");
            double sample = YamlValues.number(w, key + ".", "sample_weight", 1);
            double loss = YamlValues.number(w, key + ".", "loss_weight", task.defaultLossWeight());
            if (!(sample > 0)) {
                throw InvalidInputException.key(key + ".sample_weight", "must be > 0, got " + sample);
            }
            if (!(loss >= 0)) {
                throw InvalidInputException.key(key + ".loss_weight", "must be >= 0, got " + loss);
            }
            out.put(task.id(), new TaskWeights(sample, (float) loss));
        }
        if (out.isEmpty()) {
            throw InvalidInputException.key("train.tasks", "lists no task; expected some of " + GeneralistTask.ids());
        }
        // the registry's order, whatever order the YAML lists them in
        Map<String, TaskWeights> ordered = new LinkedHashMap<>();
        for (GeneralistTask task : GeneralistTask.all()) {
            if (out.containsKey(task.id())) {
                ordered.put(task.id(), out.get(task.id()));
            }
        }
        return ordered;
    }

    /** The task ids the run trains, in registry order. */
    public List<String> taskIds() {
        return List.copyOf(train.tasks().keySet());
    }

    /** The document as canonical YAML (keys sorted), which artifacts embed. */
    public String yaml() {
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return new Yaml(o).dump(sorted(document));
    }

    /** SHA-256 of the canonical document: what checkpoints compare on resume. */
    public String hash() {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256")
                            .digest(new Gson().toJson(sorted(document)).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> sorted(Map<String, Object> m) {
        Map<String, Object> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(k, v instanceof Map<?, ?> c ? sorted(YamlValues.map(c, k)) : v));
        return out;
    }
}
