package org.m3vit.infer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a weights file came from: the run directory that trained it and the epoch (both may be absent,
 * e.g. for init-weights), plus free-form facts (seed, Δm, the imported checkpoint's name). The m3vit
 * version and the config hash are added by {@link ModelArtifact} itself.
 *
 * @param sourceRun the run directory, or null
 * @param epoch completed epochs, or null
 * @param extra further string facts, written as {@code m3vit.<key>}
 */
public record Provenance(String sourceRun, Integer epoch, Map<String, String> extra) {

    public Provenance {
        extra = Map.copyOf(extra == null ? Map.of() : extra);
    }

    public static Provenance none() {
        return new Provenance(null, null, Map.of());
    }

    public static Provenance of(Map<String, String> extra) {
        return new Provenance(null, null, extra);
    }

    public static Provenance run(String sourceRun, int epoch, Map<String, String> extra) {
        return new Provenance(sourceRun, epoch, extra);
    }

    public Provenance with(String key, String value) {
        Map<String, String> m = new LinkedHashMap<>(extra);
        m.put(key, value);
        return new Provenance(sourceRun, epoch, m);
    }
}
