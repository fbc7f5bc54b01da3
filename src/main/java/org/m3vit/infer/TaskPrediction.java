package org.m3vit.infer;

import java.util.List;
import java.util.Map;
import org.m3vit.io.Tensor;
import org.m3vit.runtime.LayerStats;

/**
 * One task pathway's results for a batch, with what its MoE layers did.
 *
 * @param output (N, C_task, H, W) float32 at the model's input size
 * @param expertCounts MoE block index → (token, slot) assignments per expert (the queue lengths)
 * @param layers when the experts stream: per MoE layer, what this call loaded, computed and waited for;
 *     empty when resident
 */
public record TaskPrediction(Tensor output, Map<Integer, long[]> expertCounts, List<LayerStats> layers) {

    public TaskPrediction {
        layers = List.copyOf(layers);
    }
}
