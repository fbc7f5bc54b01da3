package org.m3vit.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import java.util.List;
import java.util.function.BiFunction;
import org.m3vit.model.MultiTaskModel;
import org.m3vit.model.VisionTransformerMoe;
import org.m3vit.task.Task;

/**
 * Back-propagates every task pathway of an MoE model for one batch; gradients add up on the parameters.
 *
 * <p>The task-independent prefix (patch embedding, the dense blocks before the first router, that block's
 * attention half) runs once. Each pathway continues from a detached copy of it, with its own backward and
 * its own scope, so only one task's activations are alive at once (the scope frees them; the graph alone
 * would not). The copies collect every pathway's gradient; one last backward takes their sum through the
 * prefix. The gradients are those of one full forward and backward per pathway, without computing the
 * prefix T times.
 */
public final class PathwayBackward {

    private PathwayBackward() {}

    /**
     * @param objective called once per task inside that pathway's scope with its output; returns the scalar to
     *     back-propagate. Anything it wants to outlive the pathway it must {@link NDScope#unregister}.
     */
    public static void run(
            MultiTaskModel model,
            ParameterStore ps,
            NDArray image,
            List<Task> tasks,
            BiFunction<Task, MultiTaskModel.TaskOutput, NDArray> objective) {
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            VisionTransformerMoe.Prefix shared = model.prefix(ps, image, true);
            VisionTransformerMoe.Prefix leaves = shared.detached();
            for (Task t : tasks) {
                try (NDScope pathway = new NDScope()) {
                    gc.backward(objective.apply(t, model.forward(ps, image, leaves, t, true)));
                }
            }
            backPropagatePrefix(gc, shared, leaves);
        }
    }

    /**
     * Σ_i ⟨prefix_i, g_i⟩ has the gradient J_iᵀ g_i for each prefix array, g_i being what the pathways
     * left on its detached copy: the prefix's share of every pathway's gradient, in one backward.
     */
    private static void backPropagatePrefix(
            GradientCollector gc, VisionTransformerMoe.Prefix shared, VisionTransformerMoe.Prefix leaves) {
        List<NDArray> from = shared.arrays();
        List<NDArray> grads = leaves.arrays();
        NDArray total = null;
        for (int i = 0; i < from.size(); i++) {
            NDArray term = from.get(i).mul(grads.get(i).getGradient()).sum();
            total = total == null ? term : total.add(term);
        }
        if (total != null) {
            gc.backward(total);
        }
    }
}
