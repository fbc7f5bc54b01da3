package org.m3vit.moe;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.m3vit.errors.InvalidInputException;

/** What one expert computes. */
public enum ExpertKind {
    /** Linear(D→H) → GELU → Linear(H→D), M³ViT's expert ({@link FfnExperts}). */
    FFN("ffn"),
    /** One Linear(D→out), Uni-Perceiver-MoE's linear experts, which can be merged ({@link LinearExperts}). */
    LINEAR("linear");

    private final String id;

    ExpertKind(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static ExpertKind parse(String key, String name) {
        for (ExpertKind k : values()) {
            if (k.id.equals(name)) {
                return k;
            }
        }
        throw InvalidInputException.key(
                key,
                "unknown expert kind '" + name + "'; expected one of "
                        + Arrays.stream(values()).map(ExpertKind::id).collect(Collectors.joining(", ")));
    }
}
