package org.m3vit.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Frees a step's intermediates as soon as the step ends, in inference only. Without it every
 * intermediate of a forward (e.g. 12 attention maps of 12×1025×1025 floats for ViT-S at 512×512) lives
 * until the caller's manager closes. In training the intermediates stay: autograd needs them.
 */
final class InferenceScope {

    private InferenceScope() {}

    /**
     * Runs {@code step}; if not training, closes every array it created except those {@code keep}
     * returns for its result.
     */
    @SuppressWarnings("try") // the scope is used only for its close()
    static <T> T run(boolean training, Supplier<T> step, Function<T, NDArray[]> keep) {
        if (training) {
            return step.get();
        }
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
        // Predictor's), as if the step had not been wrapped. Otherwise every kept array attached to the
        // parameters' manager (an op on a weight) outlived the call: ~2 MB per tiny-model batch, forever.
        for (NDArray a : kept) {
            if (a != null) {
                NDScope.register(a);
            }
        }
        return result;
    }

    static NDArray run(boolean training, Supplier<NDArray> step) {
        return run(training, step, a -> new NDArray[] {a});
    }
}
