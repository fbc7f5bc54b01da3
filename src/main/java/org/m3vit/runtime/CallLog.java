package org.m3vit.runtime;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one call's MoE layers did, layer by layer. Written only by the thread running the call (the
 * loader's read times go to the predictor's totals, not here), read after the call.
 */
final class CallLog {

    private final Map<ExpertLayer, LayerStats> layers = new LinkedHashMap<>();

    void add(ExpertLayer layer, LayerStats delta) {
        layers.merge(layer, delta, LayerStats::plus);
    }

    List<LayerStats> layers() {
        return new ArrayList<>(layers.values());
    }
}
