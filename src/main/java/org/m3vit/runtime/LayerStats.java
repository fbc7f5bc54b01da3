package org.m3vit.runtime;

/**
 * What streaming cost in one MoE layer (one experts block), over one call or since the predictor started.
 *
 * @param layer the experts block's state-dict prefix
 * @param block the transformer block index (the trace's MoE block), -1 for experts outside an FFN
 * @param visits layer calls
 * @param expertsComputed experts run on a non-empty queue (dropped experts excluded)
 * @param expertsLoaded experts read from storage; the rest of {@code expertsComputed} were still held
 * @param bytesLoaded float32 bytes of the experts loaded
 * @param computeNanos time running the experts on their queues
 * @param stallNanos time the computing thread waited for a load to finish
 * @param loadNanos time the loader spent reading (and checking) experts; what it did not make the
 *     computing thread wait for was overlapped with computation
 */
public record LayerStats(
        String layer,
        int block,
        long visits,
        long expertsComputed,
        long expertsLoaded,
        long bytesLoaded,
        long computeNanos,
        long stallNanos,
        long loadNanos) {

    /** Fraction of the load time hidden behind computation (1 when nothing was loaded). */
    public double overlap() {
        return loadNanos == 0 ? 1 : Math.max(0, 1 - (double) stallNanos / loadNanos);
    }

    LayerStats plus(LayerStats o) {
        return new LayerStats(
                layer,
                block,
                visits + o.visits,
                expertsComputed + o.expertsComputed,
                expertsLoaded + o.expertsLoaded,
                bytesLoaded + o.bytesLoaded,
                computeNanos + o.computeNanos,
                stallNanos + o.stallNanos,
                loadNanos + o.loadNanos);
    }

    static LayerStats zero(ExpertLayer l) {
        return new LayerStats(l.prefix(), l.block(), 0, 0, 0, 0, 0, 0, 0);
    }
}
