package org.m3vit.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.m3vit.config.ModelConfig;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.task.Task;

/**
 * Collects what predictions observed into an {@link ExpertTrace}: one image per call, its queue lengths per
 * MoE block, and, when the experts streamed, the bytes each layer loaded.
 */
public final class TraceRecorder {

    private final ModelConfig config;
    private final List<ExpertTrace.Image> images = new ArrayList<>();

    public TraceRecorder(ModelConfig config) {
        if (!config.isMoe()) {
            throw InvalidInputException.key(
                    "backbone_kwargs.moe_layers", "the model has no MoE layers, so there is no expert trace to write");
        }
        this.config = config;
    }

    /**
     * Adds one image's pathway.
     *
     * @param counts MoE block → queue length per expert, for one image
     * @param layers what each layer loaded in that call (empty when resident: bytes not measured)
     */
    public void add(String id, Task task, Map<Integer, long[]> counts, List<LayerStats> layers) {
        List<ExpertTrace.Layer> out = new ArrayList<>();
        for (int block : config.moeLayers()) {
            long[] c = counts.get(block);
            if (c == null) {
                throw new IllegalStateException("no expert counts for MoE block " + block);
            }
            List<Integer> q = new ArrayList<>();
            for (long n : c) {
                q.add(Math.toIntExact(n));
            }
            long bytes = ExpertTrace.NOT_MEASURED;
            for (LayerStats l : layers) {
                if (l.block() == block) {
                    bytes = l.bytesLoaded();
                }
            }
            out.add(new ExpertTrace.Layer(block, q, bytes));
        }
        images.add(new ExpertTrace.Image(id, task.id(), out));
    }

    /** The trace so far; weights are counted at 4 bytes per parameter (the runtime holds float32). */
    public ExpertTrace trace() {
        return new ExpertTrace(config.moeExperts(), config.moeTopK(), config.numPatches() + 1, 4, images);
    }
}
