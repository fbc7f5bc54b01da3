package org.m3vit.moe;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.m3vit.errors.InvalidInputException;

/** How router logits become expert choices. */
public enum GateType {
    /** M³ViT's gate: fixed noise σ = noise_std/E, softmax over all E before top-k, scores not renormalised. */
    NOISY_VMOE("noisy_vmoe"),
    /** Shazeer et al. 2017: learned noise (softplus), top-k on logits, softmax over the k. */
    NOISY_TOPK("noisy_topk"),
    /** GShard / Uni-Perceiver-MoE: top-k of the softmax, renormalised over the k. */
    TOPK_SOFTMAX("topk_softmax");

    private final String id;

    GateType(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static GateType parse(String name) {
        return parse(name, "gate");
    }

    /** @param key the config key or field that names the gate, for the error */
    public static GateType parse(String name, String key) {
        for (GateType t : values()) {
            if (t.id.equals(name)) {
                return t;
            }
        }
        throw InvalidInputException.key(
                key,
                "unknown gate type '" + name + "'; expected one of "
                        + Arrays.stream(values()).map(GateType::id).collect(Collectors.joining(", ")));
    }
}
