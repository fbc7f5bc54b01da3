package org.m3vit.moe;

import java.util.Arrays;
import java.util.stream.Collectors;

/** How (token, expert) assignments are computed. */
public enum DispatchMode {
    /** M³ViT computation reordering: per-expert token queues, one GEMM pair per non-empty expert. */
    REORDERED("reordered"),
    /** Every expert on every token, masked by the gates: the reference path for tests. */
    DENSE("dense");

    private final String id;

    DispatchMode(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static DispatchMode parse(String name) {
        for (DispatchMode m : values()) {
            if (m.id.equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown dispatch mode '" + name + "'; expected one of "
                + Arrays.stream(values()).map(DispatchMode::id).collect(Collectors.joining(", ")));
    }
}
