package org.m3vit.config;

import static org.m3vit.config.YamlValues.bool;
import static org.m3vit.config.YamlValues.checkKeys;
import static org.m3vit.config.YamlValues.integer;
import static org.m3vit.config.YamlValues.map;
import static org.m3vit.config.YamlValues.number;
import static org.m3vit.config.YamlValues.section;
import static org.m3vit.config.YamlValues.size;
import static org.m3vit.config.YamlValues.string;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.m3vit.moe.Dispatchers;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.Task;
import org.m3vit.task.TaskSet;

/**
 * Reads an experiment YAML in the reference's key layout (m3vit.md §12) into a {@link ModelConfig}.
 * Keys the reference reads but that do not shape the model (optimiser, loss weights, TAM, …) are
 * accepted and left to the training code; unknown keys, wrong types and impossible combinations are
 * errors naming the key. Overrides (from CLI flags) are dotted keys applied before validation.
 */
public final class ConfigLoader {

    /** Top-level keys of the reference configs. */
    public static final Set<String> TOP_LEVEL_KEYS = Set.of(
            "setup",
            "train_db_name",
            "val_db_name",
            "trBatch",
            "valBatch",
            "nworkers",
            "epochs",
            "optimizer",
            "optimizer_kwargs",
            "scheduler",
            "scheduler_kwargs",
            "model",
            "model_kwargs",
            "backbone",
            "backbone_kwargs",
            "head",
            "head_kwargs",
            "task_dictionary",
            "auxilary_task_dictionary",
            "loss_kwargs",
            "eval_final_10_epochs_only",
            "overfit",
            "multi_level",
            // m3vit additions read by train.TrainConfig (the reference takes them as CLI flags)
            "data_root",
            "seed",
            "grad_clip",
            "moe_noisy_gate_loss_weight");

    /** Reference backbone keys plus the ones m3vit adds where the reference used CLI flags. */
    public static final Set<String> BACKBONE_KEYS = Set.of(
            "dilated",
            "model_name",
            "img_size",
            "patch_size",
            "in_chans",
            "embed_dim",
            "depth",
            "num_heads",
            "num_classes",
            "drop_rate",
            "pos_embed_interp",
            "align_corners",
            "mlp_ratio",
            "qkv_bias",
            "attn_drop_rate",
            "drop_path_rate",
            "random_init",
            "distilled",
            "moe_mlp_ratio",
            "moe_top_k",
            "gate_dim",
            "gate_return_decoupled_activation",
            // m3vit additions
            "moe_experts",
            "moe_gate_type",
            "vmoe_noisy_std",
            "multi_gate",
            "gate_task_specific_dim",
            "moe_layers",
            "moe_routing",
            "moe_dispatch",
            "moe_capacity_factor",
            "moe_batch_prioritized");

    public static final Set<String> HEAD_KEYS = Set.of(
            "in_channels",
            "channels",
            "embed_dim",
            "img_size",
            "align_corners",
            "num_conv",
            "upsampling_method",
            "num_upsampe_layer",
            "num_classes",
            "in_index",
            "patch_size",
            "conv3x3_conv1x1");

    public static final Set<String> TASK_KEYS = Set.of(
            "include_semseg",
            "include_human_parts",
            "include_sal",
            "include_edge",
            "include_normals",
            "include_depth",
            "edge_w");

    private ConfigLoader() {}

    public static ModelConfig load(Path file) throws IOException {
        return load(file, Map.of());
    }

    /** @param overrides dotted key → value (e.g. "backbone_kwargs.moe_top_k" → 4), applied over the file */
    public static ModelConfig load(Path file, Map<String, Object> overrides) throws IOException {
        return parse(YamlValues.load(file), overrides);
    }

    public static ModelConfig parse(String yaml, Map<String, Object> overrides) {
        return parse(YamlValues.parse(yaml, "config"), overrides);
    }

    /** The model half of an already read config document (the training half reads the same document). */
    public static ModelConfig parse(Map<String, Object> document, Map<String, Object> overrides) {
        Map<String, Object> cfg = YamlValues.withOverrides(document, overrides);
        checkKeys(cfg, TOP_LEVEL_KEYS, "");
        Map<String, Object> bb = section(cfg, "backbone_kwargs");
        Map<String, Object> head = section(cfg, "head_kwargs");
        Map<String, Object> td = section(cfg, "task_dictionary");
        checkKeys(bb, BACKBONE_KEYS, "backbone_kwargs.");
        checkKeys(head, HEAD_KEYS, "head_kwargs.");
        checkKeys(td, TASK_KEYS, "task_dictionary.");
        for (String k : new String[] {
            "model_kwargs", "optimizer_kwargs", "scheduler_kwargs", "loss_kwargs", "auxilary_task_dictionary"
        }) {
            if (cfg.containsKey(k) && cfg.get(k) != null) {
                map(cfg.get(k), k);
            }
        }

        DatasetLayout dataset = DatasetLayout.parse("train_db_name", string(cfg, "train_db_name", "PASCALContext"));
        EnumSet<Task> enabled = EnumSet.noneOf(Task.class);
        for (Task t : Task.values()) {
            if (bool(td, "task_dictionary.", "include_" + t.id(), false)) {
                enabled.add(t);
            }
        }
        TaskSet tasks = new TaskSet(dataset, enabled);

        String model = string(cfg, "model", "baseline");
        if (!"baseline".equals(model)) {
            throw new IllegalArgumentException("model: '" + model + "' is not supported; only 'baseline' (shared"
                    + " backbone + one head per task)");
        }
        String backbone = string(cfg, "backbone", "VisionTransformer_moe");
        boolean moe;
        if ("VisionTransformer_moe".equals(backbone)) {
            moe = true;
        } else if ("VisionTransformer".equals(backbone)) {
            moe = false;
        } else {
            throw new IllegalArgumentException("backbone: '" + backbone
                    + "' is not supported; expected VisionTransformer_moe or VisionTransformer (dense)");
        }
        String headName = string(cfg, "head", "VisionTransformerUpHead");
        if (!"VisionTransformerUpHead".equals(headName)) {
            throw new IllegalArgumentException(
                    "head: '" + headName + "' is not supported; expected" + " VisionTransformerUpHead");
        }

        ModelConfig.Builder b = ModelConfig.builder().tasks(tasks);
        String modelName = string(bb, "backbone_kwargs.model_name", null);
        if (modelName != null) {
            VitPreset p = VitPreset.find(modelName);
            if (p == null) {
                throw new IllegalArgumentException("backbone_kwargs.model_name: unknown model '" + modelName
                        + "'; known: tiny, small, base or a timm name such as vit_small_patch16_224"
                        + " (or give embed_dim, depth and num_heads and omit model_name)");
            }
            b.preset(p);
        }
        int[] img = size(bb, "backbone_kwargs.img_size", new int[] {512, 512});
        b.imgSize(img[0], img[1]);
        b.patchSize(integer(bb, "backbone_kwargs.", "patch_size", 16));
        b.inChans(integer(bb, "backbone_kwargs.", "in_chans", 3));
        if (bb.containsKey("embed_dim")) {
            b.embedDim(integer(bb, "backbone_kwargs.", "embed_dim", 0));
        }
        if (bb.containsKey("depth")) {
            b.depth(integer(bb, "backbone_kwargs.", "depth", 0));
        }
        if (bb.containsKey("num_heads")) {
            b.numHeads(integer(bb, "backbone_kwargs.", "num_heads", 0));
        }
        if (modelName == null
                && !(bb.containsKey("embed_dim") && bb.containsKey("depth") && bb.containsKey("num_heads"))) {
            throw new IllegalArgumentException("backbone_kwargs: give model_name (tiny, small, base, or a timm name)"
                    + " or all of embed_dim, depth and num_heads");
        }
        b.mlpRatio(number(bb, "backbone_kwargs.", "mlp_ratio", 4.0));
        b.qkvBias(bool(bb, "backbone_kwargs.", "qkv_bias", true));
        for (String k : new String[] {"drop_rate", "attn_drop_rate", "drop_path_rate"}) {
            double v = number(bb, "backbone_kwargs.", k, 0.0);
            if (v != 0.0) {
                throw new IllegalArgumentException("backbone_kwargs." + k + " " + v
                        + " is not supported; M3ViT uses 0 (this model has no dropout or drop-path)");
            }
        }
        if (bool(bb, "backbone_kwargs.", "distilled", false)) {
            throw new IllegalArgumentException("backbone_kwargs.distilled True is not supported (no dist_token;"
                    + " every shipped M3ViT config uses False)");
        }
        if (bool(bb, "backbone_kwargs.", "gate_return_decoupled_activation", false)) {
            throw new IllegalArgumentException("backbone_kwargs.gate_return_decoupled_activation True is not"
                    + " supported (the shipped configs use False)");
        }
        b.moeExperts(integer(bb, "backbone_kwargs.", "moe_experts", 16));
        b.moeTopK(integer(bb, "backbone_kwargs.", "moe_top_k", 4));
        b.moeMlpRatio(number(bb, "backbone_kwargs.", "moe_mlp_ratio", 1.0));
        b.gateType(string(bb, "backbone_kwargs.moe_gate_type", "noisy_vmoe"));
        b.noisyStd((float) number(bb, "backbone_kwargs.", "vmoe_noisy_std", 0.0));
        b.multiGate(bool(bb, "backbone_kwargs.", "multi_gate", true));
        b.gateTaskSpecificDim(integer(bb, "backbone_kwargs.", "gate_task_specific_dim", -1));
        b.moeRouting(string(bb, "backbone_kwargs.moe_routing", null));
        b.moeDispatch(string(bb, "backbone_kwargs.moe_dispatch", Dispatchers.REORDERED));
        b.moeCapacity(
                number(bb, "backbone_kwargs.", "moe_capacity_factor", 0.0),
                bool(bb, "backbone_kwargs.", "moe_batch_prioritized", false));
        if (!moe) {
            b.moeLayers(List.of());
        } else if (bb.containsKey("moe_layers")) {
            int depth = bb.containsKey("depth")
                    ? integer(bb, "backbone_kwargs.", "depth", 0)
                    : VitPreset.find(modelName).depth();
            b.moeLayers(layers(bb.get("moe_layers"), depth));
        }
        b.headChannels(integer(head, "head_kwargs.", "channels", 256));
        b.inIndex(integer(head, "head_kwargs.", "in_index", -1));
        ModelConfig config = b.build();

        int gateDim = integer(bb, "backbone_kwargs.", "gate_dim", -1);
        if (moe && gateDim > 0 && gateDim - config.embedDim() != tasks.size()) {
            throw new IllegalArgumentException("backbone_kwargs.gate_dim " + gateDim + " means "
                    + (gateDim - config.embedDim()) + " tasks (gate_dim - embed_dim), but task_dictionary enables "
                    + tasks.size() + " " + tasks.ids());
        }
        checkHead(head, config);
        return config;
    }

    private static void checkHead(Map<String, Object> head, ModelConfig c) {
        if (head.containsKey("embed_dim") && integer(head, "head_kwargs.", "embed_dim", 0) != c.embedDim()) {
            throw new IllegalArgumentException("head_kwargs.embed_dim " + head.get("embed_dim")
                    + " differs from the backbone width " + c.embedDim());
        }
        if (head.containsKey("patch_size") && integer(head, "head_kwargs.", "patch_size", 0) != c.patchSize()) {
            throw new IllegalArgumentException("head_kwargs.patch_size " + head.get("patch_size")
                    + " differs from backbone_kwargs.patch_size " + c.patchSize());
        }
        if (head.containsKey("img_size")) {
            int[] s = size(head, "head_kwargs.img_size", null);
            if (s[0] != c.imgHeight() || s[1] != c.imgWidth()) {
                throw new IllegalArgumentException("head_kwargs.img_size " + s[0] + "x" + s[1]
                        + " differs from backbone_kwargs.img_size " + c.imgHeight() + "x" + c.imgWidth());
            }
        }
        if (integer(head, "head_kwargs.", "num_conv", 4) != 4
                || integer(head, "head_kwargs.", "num_upsampe_layer", 4) != 4) {
            throw new IllegalArgumentException("head_kwargs.num_conv and head_kwargs.num_upsampe_layer must be 4"
                    + " (the reference up-head); got " + head.get("num_conv") + " and "
                    + head.get("num_upsampe_layer"));
        }
        String up = string(head, "head_kwargs.upsampling_method", "bilinear");
        if (!"bilinear".equals(up)) {
            throw new IllegalArgumentException(
                    "head_kwargs.upsampling_method '" + up + "' is not supported; expected" + " bilinear");
        }
        if (bool(head, "head_kwargs.", "align_corners", false)) {
            throw new IllegalArgumentException(
                    "head_kwargs.align_corners True is not supported (the reference uses" + " False)");
        }
    }

    private static List<Integer> layers(Object v, int depth) {
        String key = "backbone_kwargs.moe_layers";
        if (v instanceof String) {
            String s = ((String) v).trim().toLowerCase(Locale.ROOT);
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < depth; i++) {
                boolean take;
                switch (s) {
                    case "odd":
                        take = i % 2 == 1;
                        break;
                    case "even":
                        take = i % 2 == 0;
                        break;
                    case "all":
                        take = true;
                        break;
                    case "none":
                        take = false;
                        break;
                    default:
                        throw new IllegalArgumentException(key + ": expected odd, even, all, none or a list of block"
                                + " indices, got '" + v + "'");
                }
                if (take) {
                    out.add(i);
                }
            }
            return out;
        }
        if (v instanceof List) {
            List<Integer> out = new ArrayList<>();
            for (Object o : (List<?>) v) {
                if (!(o instanceof Integer)) {
                    throw new IllegalArgumentException(key + ": expected a list of integer block indices, got " + v);
                }
                out.add((Integer) o);
            }
            return out;
        }
        throw new IllegalArgumentException(
                key + ": expected odd, even, all, none or a list of block indices, got " + v);
    }
}
