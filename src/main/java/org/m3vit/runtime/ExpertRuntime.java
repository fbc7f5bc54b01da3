package org.m3vit.runtime;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.m3vit.model.MultiTaskModel;
import org.m3vit.moe.ExpertSource;
import org.m3vit.task.Task;

/**
 * How a predictor's calls get their task's pathway: with every weight resident ({@link #resident}), or
 * with only the shared weights and the running task's routers and head resident and the experts streamed
 * ({@link #streamed}). A predictor asks for a {@link Call} per task pathway it runs and hands the call's
 * expert source to the model; the model's MoE layers do not know which runtime they serve.
 */
public interface ExpertRuntime extends AutoCloseable {

    /** Makes {@code task}'s pathway ready for one call; close the call when its forward is done. */
    Call begin(Task task);

    /** Where the weights are and what streaming has cost so far. */
    RuntimeReport report();

    @Override
    void close();

    /** One task pathway's forward. */
    interface Call extends AutoCloseable {

        /** The expert source to run this call's MoE layers with. */
        ExpertSource experts();

        /**
         * Waits until the task's head is resident; call it between the backbone and the head (a task
         * switch loads the head while the backbone computes).
         */
        void awaitHead();

        /** What this call's MoE layers loaded and waited for (empty when resident). */
        List<LayerStats> layers();

        @Override
        void close();
    }

    /** Every weight resident, as loaded (training's layout); calls cost nothing. */
    static ExpertRuntime resident(MultiTaskModel model) {
        return new ResidentRuntime(model);
    }

    /**
     * Streams the experts of {@code weights} (either layout) into {@code model}, which must not be
     * initialised: only the shared weights are loaded now, each task's routers and head on its first call.
     */
    static ExpertRuntime streamed(MultiTaskModel model, Path weights, NDManager manager, StreamingOptions options)
            throws IOException {
        return StreamedRuntime.open(model, weights, manager, options);
    }
}
