package org.m3vit.runtime;

import ai.djl.Device;
import ai.djl.training.ParameterStore;
import java.util.Map;
import java.util.Set;
import org.m3vit.moe.ExpertQueues;
import org.m3vit.moe.ExpertSource;
import org.m3vit.moe.Experts;

/**
 * The expert source of one streamed call: each MoE layer's visit goes to the predictor's shared
 * {@link ExpertBuffers}, and what it loaded and waited for goes to the call's log. The layer is found by
 * its experts block, so the MoE layer itself passes nothing but itself.
 */
final class StreamedExperts implements ExpertSource {

    private final Map<Experts, ExpertLayer> layers;
    private final ExpertBuffers buffers;
    private final Map<String, Set<Integer>> dropped;
    private final CallLog log;

    StreamedExperts(
            Map<Experts, ExpertLayer> layers, ExpertBuffers buffers, Map<String, Set<Integer>> dropped, CallLog log) {
        this.layers = layers;
        this.buffers = buffers;
        this.dropped = dropped;
        this.log = log;
    }

    @Override
    public Visit visit(Experts experts, ExpertQueues queues, ParameterStore ps, Device device, boolean training) {
        if (training) {
            throw new IllegalStateException("streamed experts serve inference only; training uses resident experts");
        }
        ExpertLayer layer = layers.get(experts);
        if (layer == null) {
            throw new IllegalStateException("these experts are not part of the model the runtime streams");
        }
        return buffers.visit(layer, experts, queues, dropped.getOrDefault(layer.prefix(), Set.of()), log);
    }
}
