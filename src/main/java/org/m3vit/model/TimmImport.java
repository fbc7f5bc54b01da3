package org.m3vit.model;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.m3vit.config.ModelConfig;
import org.m3vit.io.SafetensorsFile;
import org.m3vit.io.TensorInfo;
import org.m3vit.nn.StateDict;

/**
 * Imports a timm/DeiT ViT checkpoint (safetensors) into the backbone as the reference does with
 * {@code random_init: False} (m3vit.md §9): patch embedding, cls token, attention and norms of every
 * block, the dense MLPs of the dense blocks; the pos-embed is resized to the config's grid (cls kept,
 * distillation token dropped, bilinear). The checkpoint's dense MLPs of MoE blocks, final norm,
 * classifier heads and dist token are skipped; experts, gates and task heads keep their init.
 * BF16/F16 tensors are converted to F32 in Java.
 */
public final class TimmImport {

    /** Summary of what was copied and what was deliberately skipped. */
    public record Report(List<String> loaded, List<String> skipped) {}

    private TimmImport() {}

    public static Report load(MultiTaskModel model, Path file) throws IOException {
        ModelConfig c = model.config();
        Map<String, Parameter> params = StateDict.parameters(model);
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            Map<String, String> keys = new LinkedHashMap<>();
            for (String k : st.tensors().keySet()) {
                String n = k;
                for (String p : new String[] {"module.", "model.", "backbone."}) {
                    if (n.startsWith(p)) {
                        n = n.substring(p.length());
                    }
                }
                keys.put(n, k);
            }
            List<String> skipped = new ArrayList<>();
            List<String> unexpected = new ArrayList<>();
            List<String> wrong = new ArrayList<>();
            Map<String, String> plan = new LinkedHashMap<>(); // model name → file key
            for (Map.Entry<String, String> e : keys.entrySet()) {
                String name = e.getKey();
                TensorInfo info = st.info(e.getValue());
                if (isIgnored(name)) {
                    skipped.add(e.getValue() + " " + info.shapeString());
                    continue;
                }
                String target = "backbone." + name;
                if (name.matches("blocks\\.\\d+\\.mlp\\..*")) {
                    int block = Integer.parseInt(name.split("\\.")[1]);
                    if (block < c.depth() && c.isMoeBlock(block)) {
                        skipped.add(e.getValue() + " " + info.shapeString() + " (MoE block: experts keep their init)");
                        continue;
                    }
                }
                Parameter p = params.get(target);
                if (p == null) {
                    unexpected.add(e.getValue() + " " + info.shapeString());
                    continue;
                }
                if (!info.dtype().floating()) {
                    wrong.add(e.getValue() + ": expected a float dtype, file has " + info.dtype());
                    continue;
                }
                long[] want = p.getArray().getShape().getShape();
                if (!name.equals("pos_embed")
                        && !Arrays.equals(want, info.shape())
                        && !(name.equals("patch_embed.proj.weight")
                                && info.numel() == p.getArray().size())) {
                    wrong.add(e.getValue() + ": expected " + TensorInfo.shapeString(want) + ", file has "
                            + info.shapeString());
                    continue;
                }
                if (name.equals("pos_embed")
                        && (info.shape().length != 3 || info.shape()[0] != 1 || info.shape()[2] != c.embedDim())) {
                    wrong.add(e.getValue() + ": expected (1, tokens, " + c.embedDim() + "), file has "
                            + info.shapeString());
                    continue;
                }
                plan.put(target, e.getValue());
            }
            List<String> missing = new ArrayList<>();
            for (String required : requiredNames(c)) {
                if (!plan.containsKey(required) && !wrongMentions(wrong, required)) {
                    missing.add(required + " "
                            + TensorInfo.shapeString(
                                    params.get(required).getArray().getShape().getShape()));
                }
            }
            if (!missing.isEmpty() || !unexpected.isEmpty() || !wrong.isEmpty()) {
                StringBuilder m =
                        new StringBuilder("timm checkpoint " + file + " does not fit the backbone (" + c + "):");
                append(m, "missing", missing);
                append(m, "unexpected", unexpected);
                append(m, "wrong shape or dtype", wrong);
                throw new IllegalArgumentException(m.toString());
            }
            int extra = keys.containsKey("dist_token") ? 2 : 1;
            Map<Parameter, float[]> values = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : plan.entrySet()) {
                float[] data = st.floats(e.getValue());
                if (e.getKey().equals("backbone.pos_embed")) {
                    TensorInfo info = st.info(e.getValue());
                    data = PosEmbedInterpolation.resize(
                            data, (int) info.shape()[1], c.embedDim(), extra, c.gridHeight(), c.gridWidth());
                }
                values.put(params.get(e.getKey()), data);
            }
            try (NDManager tmp = NDManager.newBaseManager()) {
                values.forEach((p, d) -> ModelWeights.copyInto(tmp, p, d));
            }
            return new Report(new ArrayList<>(plan.keySet()), skipped);
        }
    }

    private static boolean wrongMentions(List<String> wrong, String target) {
        String name = target.substring("backbone.".length());
        for (String w : wrong) {
            if (w.contains(name + ":")) {
                return true;
            }
        }
        return false;
    }

    /** Keys of a timm ViT that the M³ViT backbone does not have. */
    private static boolean isIgnored(String name) {
        return name.equals("dist_token")
                || name.startsWith("norm.")
                || name.startsWith("fc_norm.")
                || name.startsWith("head.")
                || name.startsWith("head_dist.")
                || name.startsWith("pre_logits.");
    }

    /** Backbone parameters a ViT checkpoint must provide (everything but experts, gates, task embedding). */
    private static List<String> requiredNames(ModelConfig c) {
        List<String> out = new ArrayList<>(List.of(
                "backbone.cls_token",
                "backbone.pos_embed",
                "backbone.patch_embed.proj.weight",
                "backbone.patch_embed.proj.bias"));
        for (int i = 0; i < c.depth(); i++) {
            String b = "backbone.blocks." + i + ".";
            for (String s : new String[] {
                "norm1.weight",
                "norm1.bias",
                "attn.qkv.weight",
                "attn.qkv.bias",
                "attn.proj.weight",
                "attn.proj.bias",
                "norm2.weight",
                "norm2.bias"
            }) {
                out.add(b + s);
            }
            if (!c.isMoeBlock(i)) {
                for (String s : new String[] {"mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight", "mlp.fc2.bias"}) {
                    out.add(b + s);
                }
            }
        }
        return out;
    }

    private static void append(StringBuilder m, String what, List<String> items) {
        if (!items.isEmpty()) {
            m.append("\n  ")
                    .append(what)
                    .append(" (")
                    .append(items.size())
                    .append("): ")
                    .append(String.join(", ", items.subList(0, Math.min(items.size(), 25))))
                    .append(items.size() > 25 ? ", … and " + (items.size() - 25) + " more" : "");
        }
    }
}
