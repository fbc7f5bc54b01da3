package org.m3vit.moe;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;

/**
 * Where a dispatcher gets each expert's weights. For every layer call the dispatcher opens one visit,
 * telling the source the queues (so the visit order, {@link ExpertQueues#order()}), then runs the
 * experts of that order one by one on their queues and closes the visit. A source may load the next
 * expert of the order while the current one computes.
 *
 * <p>{@link #RESIDENT} is the layer's own stacked parameters: training and resident inference, exactly
 * as before the seam existed. {@code org.m3vit.runtime} streams experts from a file. The MoE layer never
 * knows which one it has: a source comes with each call (through {@code model.BlockCall}), not with the
 * layer, so one layer serves resident and streamed callers at once.
 */
@FunctionalInterface
public interface ExpertSource {

    /** The experts' own stacked parameters, split once per visit ({@link Experts#split}). */
    ExpertSource RESIDENT = (experts, queues, ps, device, training) -> {
        Experts.PerExpert perExpert = experts.split(ps, device, training);
        return new Visit() {
            @Override
            public NDArray apply(int expert, NDArray tokens) {
                return perExpert.apply(expert, tokens);
            }

            @Override
            public void close() {
                // the split views belong to the call's scope
            }
        };
    };

    /**
     * Starts one layer call's visit of {@code experts}.
     *
     * @param queues the call's queue lengths; the visit runs the experts of {@link ExpertQueues#order()}
     */
    Visit visit(Experts experts, ExpertQueues queues, ParameterStore ps, Device device, boolean training);

    /** One layer call's pass over its non-empty experts. */
    interface Visit extends AutoCloseable {

        /**
         * Expert {@code expert} on its queue (n, in) → (n, out). Called once for each expert of the
         * visit's order, in that order.
         */
        NDArray apply(int expert, NDArray tokens);

        /** Ends the visit; the source may reuse whatever held the weights. */
        @Override
        void close();
    }
}
