package org.m3vit.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import org.m3vit.nn.Checks;

/**
 * M³ViT task-conditioned routing ({@code --task_one_hot}): one shared router over concat(token, f_t),
 * where f_t is the task embedding computed once per forward by the shared {@link TaskEmbedding}.
 */
public final class TaskConditionedCondition extends RoutingCondition {

    private final long dim;
    private final long taskDim;

    public TaskConditionedCondition(long dim, long taskDim) {
        Checks.positive("gate_task_specific_dim", taskDim);
        this.dim = dim;
        this.taskDim = taskDim;
    }

    @Override
    public long featureDim() {
        return dim + taskDim;
    }

    @Override
    public String id() {
        return "task_conditioned";
    }

    @Override
    public RouterInput features(ParameterStore ps, NDArray x, RoutingContext ctx, boolean training) {
        NDArray f = ctx.taskFeature("task-conditioned routing");
        Checks.shape("task feature f_t", f, taskDim);
        NDArray tokens = flatTokens(x);
        NDArray repeated = f.expandDims(0).broadcast(tokens.getShape().get(0), taskDim);
        return new RouterInput(tokens.concat(repeated, 1), null);
    }
}
