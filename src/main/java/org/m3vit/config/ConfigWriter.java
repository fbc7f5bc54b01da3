package org.m3vit.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.m3vit.task.Task;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Writes a {@link ModelConfig} as YAML in the reference layout, every key spelled out (so defaults of a
 * later version cannot change what a saved config means). {@link ConfigLoader} reads it back to an equal
 * config. The same canonical form, flattened to dotted keys, is what two configs are compared by.
 */
public final class ConfigWriter {

    private ConfigWriter() {}

    /** The config as a YAML document that {@link ConfigLoader#parse} reads back to an equal config. */
    public static String yaml(ModelConfig c) {
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        o.setIndent(2);
        o.setWidth(120);
        return new Yaml(o).dump(canonical(c));
    }

    /** SHA-256 (hex) of {@link #yaml}: equal configs have equal hashes. */
    public static String hash(ModelConfig c) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(yaml(c).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Dotted key → value of the canonical form, e.g. {@code backbone_kwargs.moe_top_k → 4}. */
    public static Map<String, Object> flatten(ModelConfig c) {
        Map<String, Object> out = new LinkedHashMap<>();
        flatten("", canonical(c), out);
        return out;
    }

    /** A key whose value differs between two configs; a value is null where a config lacks the key. */
    public record Difference(String key, Object first, Object second) {}

    /** The first key (in canonical order) whose value differs between {@code a} and {@code b}, or null. */
    public static Difference firstDifference(ModelConfig a, ModelConfig b) {
        Map<String, Object> fa = flatten(a);
        Map<String, Object> fb = flatten(b);
        TreeSet<String> keys = new TreeSet<>(fa.keySet());
        keys.addAll(fb.keySet());
        List<String> ordered = new ArrayList<>(fa.keySet());
        for (String k : keys) {
            if (!fa.containsKey(k)) {
                ordered.add(k);
            }
        }
        for (String k : ordered) {
            if (!String.valueOf(fa.get(k)).equals(String.valueOf(fb.get(k)))) {
                return new Difference(k, fa.get(k), fb.get(k));
            }
        }
        return null;
    }

    static Map<String, Object> canonical(ModelConfig c) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("train_db_name", c.tasks().dataset().configName());
        root.put("model", "baseline");
        root.put("backbone", c.isMoe() ? "VisionTransformer_moe" : "VisionTransformer");
        Map<String, Object> bb = new LinkedHashMap<>();
        bb.put("img_size", List.of(c.imgHeight(), c.imgWidth()));
        bb.put("patch_size", c.patchSize());
        bb.put("in_chans", c.inChans());
        bb.put("embed_dim", c.embedDim());
        bb.put("depth", c.depth());
        bb.put("num_heads", c.numHeads());
        bb.put("mlp_ratio", c.mlpRatio());
        bb.put("qkv_bias", c.qkvBias());
        if (c.isMoe()) {
            bb.put("moe_layers", c.moeLayers());
            bb.put("moe_experts", c.moeExperts());
            bb.put("moe_top_k", c.moeTopK());
            bb.put("moe_mlp_ratio", c.moeMlpRatio());
            bb.put("moe_gate_type", c.gateType());
            bb.put("vmoe_noisy_std", (double) c.noisyStd());
            bb.put("multi_gate", c.multiGate());
            bb.put("gate_task_specific_dim", c.gateTaskSpecificDim());
            bb.put("moe_routing", c.routing());
            bb.put("moe_dispatch", c.moe().dispatch());
            bb.put("moe_capacity_factor", c.moe().capacityFactor());
            bb.put("moe_batch_prioritized", c.moe().batchPrioritized());
        }
        root.put("backbone_kwargs", bb);
        root.put("head", "VisionTransformerUpHead");
        Map<String, Object> head = new LinkedHashMap<>();
        head.put("channels", c.headChannels());
        head.put("in_index", c.inIndex());
        root.put("head_kwargs", head);
        Map<String, Object> td = new LinkedHashMap<>();
        for (Task t : c.tasks().tasks()) {
            td.put("include_" + t.id(), true);
        }
        root.put("task_dictionary", td);
        return root;
    }

    @SuppressWarnings("unchecked")
    private static void flatten(String prefix, Map<String, Object> m, Map<String, Object> out) {
        for (Map.Entry<String, Object> e : m.entrySet()) {
            if (e.getValue() instanceof Map<?, ?> child) {
                flatten(prefix + e.getKey() + ".", (Map<String, Object>) child, out);
            } else {
                out.put(prefix + e.getKey(), e.getValue());
            }
        }
    }
}
