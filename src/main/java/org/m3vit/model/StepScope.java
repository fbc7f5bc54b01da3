package org.m3vit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Frees a step's intermediates (a block, a head stage) as soon as the step ends. Without it every
 * intermediate of a forward (e.g. 12 attention maps of 12×1025×1025 floats for ViT-S at 512×512) lives
 * until the caller's scope closes.
 *
 * <p>This holds in training too. Closing an array drops only this handle's reference to the engine's
 * tensor; what autograd saved for the backward it holds by its own reference, so it survives, and
 * everything else (pre-activation copies, masks, the MoE dispatch's gathers and concatenations) is freed
 * at once, as a tensor going out of scope is in PyTorch eager. Before, a training forward kept all of
 * them until its pathway's backward had run.
 */
final class StepScope {

    private StepScope() {}

    /** Runs {@code step}; closes every array it created except those {@code keep} returns for its result. */
    @SuppressWarnings("try") // the scope is used only for its close()
    static <T> T run(Supplier<T> step, Function<T, NDArray[]> keep) {
        T result;
        NDArray[] kept;
        try (NDScope scope = new NDScope()) {
            result = step.get();
            kept = keep.apply(result);
            for (NDArray a : kept) {
                if (a != null) {
                    NDScope.unregister(a);
                }
            }
        }
        // unregister took them out of this step's scope only: hand them to the caller's scope, if any (the
        // Predictor's, a training pathway's), as if the step had not been wrapped. Otherwise every kept array
        // attached to the parameters' manager (an op on a weight) outlived the call: ~2 MB per tiny-model
        // batch, forever.
        for (NDArray a : kept) {
            if (a != null) {
                NDScope.register(a);
            }
        }
        return result;
    }

    static NDArray run(Supplier<NDArray> step) {
        return run(step, a -> new NDArray[] {a});
    }
}
