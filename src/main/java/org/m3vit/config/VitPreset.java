package org.m3vit.config;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Backbone sizes by name, as timm names them. The reference configs name the DeiT checkpoint in
 * {@code model_name}; M³ViT's "small" uses 12 heads (head_dim 32) although DeiT-S has 6, and the qkv
 * weights have the same shape either way.
 */
public record VitPreset(String name, int embedDim, int depth, int numHeads) {

    private static final Map<String, VitPreset> BY_NAME = new LinkedHashMap<>();

    static {
        VitPreset tiny = new VitPreset("tiny", 192, 12, 3);
        VitPreset small = new VitPreset("small", 384, 12, 12);
        VitPreset base = new VitPreset("base", 768, 12, 12);
        for (VitPreset p : new VitPreset[] {tiny, small, base}) {
            BY_NAME.put(p.name, p);
        }
        BY_NAME.put("vit_tiny_patch16_224", tiny);
        BY_NAME.put("deit_tiny_patch16_224", tiny);
        BY_NAME.put("vit_small_patch16_224", small);
        BY_NAME.put("deit_small_patch16_224", small);
        BY_NAME.put("vit_base_patch16_224", base);
        BY_NAME.put("vit_base_patch16_384", base);
        BY_NAME.put("deit_base_patch16_224", base);
        BY_NAME.put("deit_base_patch16_384", base);
        BY_NAME.put("deit_base_distilled_patch16_384", base);
        // sic: the reference's spelling of the distilled DeiT-B model name
        BY_NAME.put("deit_base_distilled_path16_384", base);
    }

    /** The preset for a short name (tiny, small, base) or a timm model name; null if unknown. */
    public static VitPreset find(String name) {
        return name == null ? null : BY_NAME.get(name.trim().toLowerCase(Locale.ROOT));
    }

    public static Iterable<String> names() {
        return BY_NAME.keySet();
    }
}
