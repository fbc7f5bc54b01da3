package org.m3vit.moe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.m3vit.nn.Checks;
import org.m3vit.nn.LayerNormLayer;
import org.m3vit.nn.LinearLayer;

/**
 * M³ViT's task-embedding MLP ({@code gate_task_represent}): one-hot e_t (T) → fc1 Linear(T→G) → GELU
 * → fc2 Linear(G→G) → LayerNorm(G, eps 1e-6) = f_t. One instance is shared by every MoE layer of a
 * backbone; compute f_t once per forward and pass it in the {@link RoutingContext}.
 */
public final class TaskEmbedding extends AbstractBlock {

    private final int tasks;
    private final long dim;
    private final LinearLayer fc1;
    private final LinearLayer fc2;
    private final LayerNormLayer norm;

    public TaskEmbedding(int tasks, long dim) {
        Checks.positive("number of tasks", tasks);
        Checks.positive("gate_task_specific_dim", dim);
        this.tasks = tasks;
        this.dim = dim;
        fc1 = addChildBlock("fc1", LinearLayer.vit(tasks, dim));
        fc2 = addChildBlock("fc2", LinearLayer.vit(dim, dim));
        norm = addChildBlock("norm", LayerNormLayer.vit(dim));
    }

    public int tasks() {
        return tasks;
    }

    public long dim() {
        return dim;
    }

    /** f_t, shape (G), for task id {@code task}. */
    public NDArray forward(ParameterStore ps, NDManager manager, int task, boolean training) {
        if (task < 0 || task >= tasks) {
            throw new IllegalArgumentException("task id " + task + " out of range for " + tasks + " tasks");
        }
        NDArray oneHot = manager.eye(tasks).get(task);
        NDArray h = Activation.gelu(fc1.forward(ps, oneHot, training));
        return norm.forward(ps, fc2.forward(ps, h, training), training);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray oneHot = inputs.singletonOrThrow();
        NDArray h = Activation.gelu(fc1.forward(ps, oneHot, training));
        return new NDList(norm.forward(ps, fc2.forward(ps, h, training), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(dim)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        fc1.initialize(manager, dataType, new Shape(tasks));
        fc2.initialize(manager, dataType, new Shape(dim));
        norm.initialize(manager, dataType, new Shape(dim));
    }
}
