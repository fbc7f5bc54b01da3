package org.m3vit.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.m3vit.config.ConfigLoader;
import org.m3vit.config.ModelConfig;
import picocli.CommandLine.Option;

/** {@code --config} plus flags that override the YAML's model keys (the reference's CLI flags). */
final class ModelOptions {

    @Option(
            names = "--config",
            paramLabel = "C.yml",
            description = "Experiment YAML (reference layout). Required,"
                    + " except with an m3vit weights file, which carries its config (if given, it must agree).")
    Path config;

    @Option(
            names = "--img-size",
            paramLabel = "HxW",
            description = "Overrides backbone_kwargs.img_size (e.g. 512x512).")
    String imgSize;

    @Option(names = "--moe-experts", description = "Overrides backbone_kwargs.moe_experts.")
    Integer moeExperts;

    @Option(names = "--moe-top-k", description = "Overrides backbone_kwargs.moe_top_k.")
    Integer moeTopK;

    @Option(names = "--moe-mlp-ratio", description = "Overrides backbone_kwargs.moe_mlp_ratio.")
    Double moeMlpRatio;

    @Option(names = "--moe-gate-type", description = "Overrides backbone_kwargs.moe_gate_type.")
    String moeGateType;

    @Option(names = "--vmoe-noisy-std", description = "Overrides backbone_kwargs.vmoe_noisy_std.")
    Double vmoeNoisyStd;

    @Option(
            names = "--multi-gate",
            arity = "1",
            paramLabel = "BOOL",
            description = "Overrides backbone_kwargs.multi_gate.")
    Boolean multiGate;

    @Option(names = "--gate-task-specific-dim", description = "Overrides backbone_kwargs.gate_task_specific_dim.")
    Integer gateTaskSpecificDim;

    @Option(names = "--head-channels", description = "Overrides head_kwargs.channels (reference: 256).")
    Integer headChannels;

    @Option(
            names = "--moe-routing",
            description = "Overrides backbone_kwargs.moe_routing: token, task_conditioned,"
                    + " context, modality, task or attribute.")
    String moeRouting;

    @Option(names = "--moe-dispatch", description = "Overrides backbone_kwargs.moe_dispatch: reordered or dense.")
    String moeDispatch;

    @Option(
            names = "--moe-capacity-factor",
            description = "Overrides backbone_kwargs.moe_capacity_factor (0 = no limit).")
    Double moeCapacityFactor;

    Map<String, Object> overrides() {
        Map<String, Object> o = new LinkedHashMap<>();
        if (imgSize != null) {
            String[] p = imgSize.toLowerCase(Locale.ROOT).split("x");
            try {
                if (p.length != 2) {
                    throw new NumberFormatException();
                }
                o.put(
                        "backbone_kwargs.img_size",
                        List.of(Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim())));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--img-size: expected HxW such as 512x512, got '" + imgSize + "'");
            }
            o.put("head_kwargs.img_size", o.get("backbone_kwargs.img_size"));
        }
        o.put("backbone_kwargs.moe_experts", moeExperts);
        o.put("backbone_kwargs.moe_top_k", moeTopK);
        o.put("backbone_kwargs.moe_mlp_ratio", moeMlpRatio);
        o.put("backbone_kwargs.moe_gate_type", moeGateType);
        o.put("backbone_kwargs.vmoe_noisy_std", vmoeNoisyStd);
        o.put("backbone_kwargs.multi_gate", multiGate);
        o.put("backbone_kwargs.gate_task_specific_dim", gateTaskSpecificDim);
        o.put("head_kwargs.channels", headChannels);
        o.put("backbone_kwargs.moe_routing", moeRouting);
        o.put("backbone_kwargs.moe_dispatch", moeDispatch);
        o.put("backbone_kwargs.moe_capacity_factor", moeCapacityFactor);
        return o;
    }

    /** The config; an error if --config is missing (commands that have no weights to take it from). */
    ModelConfig load() throws IOException {
        if (config == null) {
            throw new IllegalArgumentException("--config is required");
        }
        return ConfigLoader.load(config, overrides());
    }

    /** The config if --config was given, else null (the weights file's own config is used). */
    ModelConfig loadIfGiven() throws IOException {
        if (config == null) {
            if (overrides().values().stream().anyMatch(v -> v != null)) {
                throw new IllegalArgumentException("model override flags (such as --img-size) need --config");
            }
            return null;
        }
        return load();
    }
}
