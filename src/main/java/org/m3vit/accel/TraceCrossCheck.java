package org.m3vit.accel;

import java.util.List;

/**
 * The software runtime's measured expert bytes per MoE layer against the model's prediction for the same
 * queues: every non-empty expert loaded once, whole, at the runtime's bytes per parameter. Empty when the
 * trace measured nothing.
 */
public record TraceCrossCheck(int bytesPerParam, List<Layer> layers) {

    public record Layer(String image, int block, long predictedBytes, long measuredBytes) {
        public boolean matches() {
            return predictedBytes == measuredBytes;
        }
    }

    public TraceCrossCheck {
        layers = List.copyOf(layers);
    }

    /** Bytes of the experts with a non-empty queue. */
    public static long predictedBytes(int[] queueLengths, long expertParams, int bytesPerParam) {
        long loaded = 0;
        for (int n : queueLengths) {
            if (n > 0) {
                loaded += expertParams * bytesPerParam;
            }
        }
        return loaded;
    }

    public long matching() {
        return layers.stream().filter(Layer::matches).count();
    }
}
