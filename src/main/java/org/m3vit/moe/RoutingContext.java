package org.m3vit.moe;

import ai.djl.ndarray.NDArray;

/**
 * Everything besides the tokens that a router may condition on. Each field is optional; a routing
 * condition that needs a missing field fails with a message naming it.
 *
 * <ul>
 *   <li>{@code taskId}: index of the task whose pathway runs (multi-gate and task-level routing);
 *   <li>{@code taskFeature}: (G) task embedding f_t (task-conditioned routing), see {@link TaskEmbedding};
 *   <li>{@code attributes}: (R, A) binary attribute rows, and {@code attributeRowOfToken} (L) or (B, L)
 *       int64 saying which row each token uses (absent: every token uses row 0);
 *   <li>{@code modality}: (L) or (B, L) int64 modality id of each token.
 * </ul>
 */
public final class RoutingContext {

    private static final RoutingContext NONE = new Builder().build();

    private final int taskId;
    private final NDArray taskFeature;
    private final NDArray attributes;
    private final NDArray attributeRowOfToken;
    private final NDArray modality;

    private RoutingContext(Builder b) {
        taskId = b.taskId;
        taskFeature = b.taskFeature;
        attributes = b.attributes;
        attributeRowOfToken = b.attributeRowOfToken;
        modality = b.modality;
    }

    public static RoutingContext none() {
        return NONE;
    }

    public static RoutingContext forTask(int taskId) {
        return builder().task(taskId).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The task id, checked against the number of tasks the caller was built for. */
    public int taskId(int numTasks, String neededBy) {
        if (taskId < 0) {
            throw new IllegalArgumentException(neededBy + " needs a task id in the routing context");
        }
        if (taskId >= numTasks) {
            throw new IllegalArgumentException(
                    "task id " + taskId + " out of range for " + numTasks + " tasks (" + neededBy + ")");
        }
        return taskId;
    }

    public boolean hasTask() {
        return taskId >= 0;
    }

    public NDArray taskFeature(String neededBy) {
        return require(taskFeature, "a task feature f_t", neededBy);
    }

    public NDArray attributes(String neededBy) {
        return require(attributes, "attribute vectors", neededBy);
    }

    /** May be null: then every token uses attribute row 0. */
    public NDArray attributeRowOfToken() {
        return attributeRowOfToken;
    }

    public NDArray modality(String neededBy) {
        return require(modality, "token modality ids", neededBy);
    }

    private static NDArray require(NDArray value, String what, String neededBy) {
        if (value == null) {
            throw new IllegalArgumentException(neededBy + " needs " + what + " in the routing context");
        }
        return value;
    }

    /** Builder; every setter is optional. */
    public static final class Builder {
        private int taskId = -1;
        private NDArray taskFeature;
        private NDArray attributes;
        private NDArray attributeRowOfToken;
        private NDArray modality;

        public Builder task(int id) {
            if (id < 0) {
                throw new IllegalArgumentException("task id must be >= 0, got " + id);
            }
            taskId = id;
            return this;
        }

        public Builder taskFeature(NDArray f) {
            taskFeature = f;
            return this;
        }

        public Builder attributes(NDArray rows, NDArray rowOfToken) {
            attributes = rows;
            attributeRowOfToken = rowOfToken;
            return this;
        }

        public Builder modality(NDArray ids) {
            modality = ids;
            return this;
        }

        public RoutingContext build() {
            return new RoutingContext(this);
        }
    }
}
