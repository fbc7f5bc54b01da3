package org.m3vit.runtime;

import java.util.List;

/**
 * Where a predictor's weights are and what streaming has cost so far.
 *
 * @param streamed whether the experts stream (false: every weight resident)
 * @param buffers N, the expert buffers (0 when resident)
 * @param residentBytes float32 bytes of the weights held now, expert buffers excluded
 * @param expertBytesResident bytes of expert weights held: all of them when resident; when streamed, the
 *     most held at once so far (at most N experts)
 * @param bufferBytes bytes the expert buffers take when all are full (0 when resident)
 * @param expertBytes float32 bytes of one expert (the largest)
 * @param experts every (layer, expert) pair of the model
 * @param budgetBytes the memory budget, or -1 if none was set
 * @param taskSwitches how often another task's routers and head were loaded
 * @param taskSwitchNanos the time those switches spent reading routers and heads
 * @param taskSwitchWaitNanos the part of it calls waited for (routers before the backbone, and any head
 *     read the backbone did not hide)
 * @param layers per MoE layer, what was loaded, computed and waited for (empty when resident)
 */
public record RuntimeReport(
        boolean streamed,
        int buffers,
        long residentBytes,
        long expertBytesResident,
        long bufferBytes,
        long expertBytes,
        long experts,
        long budgetBytes,
        long taskSwitches,
        long taskSwitchNanos,
        long taskSwitchWaitNanos,
        List<LayerStats> layers) {

    public RuntimeReport {
        layers = List.copyOf(layers);
    }

    /** Expert bytes read from storage so far. */
    public long bytesLoaded() {
        return layers.stream().mapToLong(LayerStats::bytesLoaded).sum();
    }

    /** Time spent waiting for expert loads so far. */
    public long stallNanos() {
        return layers.stream().mapToLong(LayerStats::stallNanos).sum();
    }
}
