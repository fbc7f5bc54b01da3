package org.m3vit.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import java.util.Collection;

/** Global-norm gradient clipping (DJL's optimizer clip is element-wise, not this). */
public final class GradientClipping {

    private GradientClipping() {}

    /**
     * Scales all gradients by min(1, maxNorm / ‖g‖₂) where ‖g‖₂ is the norm of every gradient taken
     * together, and returns that norm (one host read per call).
     */
    public static double clip(Collection<Parameter> parameters, double maxNorm) {
        NDArray total = squaredNorm(parameters);
        if (total == null) {
            return 0;
        }
        double norm = Math.sqrt(total.getFloat());
        scale(parameters, norm, maxNorm);
        return norm;
    }

    /**
     * Σ‖g‖² over the parameters that train, left on the device (null when none trains). Each parameter's
     * squared gradient is freed as soon as it is summed, so the call never holds a second copy of the model.
     */
    @SuppressWarnings("try") // the scope is used only for its close()
    public static NDArray squaredNorm(Collection<Parameter> parameters) {
        NDArray total = null;
        for (Parameter p : parameters) {
            if (!p.requiresGradient()) {
                continue;
            }
            NDArray sum;
            try (NDScope perParameter = new NDScope()) {
                NDArray sq = p.getArray().getGradient().square().sum();
                sum = total == null ? sq : total.add(sq);
                NDScope.unregister(sum);
            }
            if (total != null) {
                total.close(); // the running sum this one replaces, which is in the caller's scope
            }
            NDScope.register(sum);
            total = sum;
        }
        return total;
    }

    /** The clipping half of {@link #clip}, for a norm the caller has already read. */
    public static void scale(Collection<Parameter> parameters, double norm, double maxNorm) {
        if (maxNorm > 0 && norm > maxNorm) {
            float scale = (float) (maxNorm / (norm + 1e-6));
            for (Parameter p : parameters) {
                if (p.requiresGradient()) {
                    p.getArray().getGradient().muli(scale);
                }
            }
        }
    }
}
