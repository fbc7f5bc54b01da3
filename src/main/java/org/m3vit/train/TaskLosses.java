package org.m3vit.train;

import ai.djl.ndarray.NDArray;
import org.m3vit.task.Task;
import org.m3vit.task.dense.Losses;

/** The reference's loss for each task (m3vit.md §6), on a head's raw output and the batch's target. */
public final class TaskLosses {

    private TaskLosses() {}

    /**
     * @param edgePosWeight the fixed positive-class weight of the edge loss ({@code task_dictionary.edge_w})
     */
    public static NDArray loss(Task task, NDArray prediction, NDArray target, float edgePosWeight) {
        return switch (task) {
            case SEMSEG, HUMAN_PARTS -> Losses.crossEntropy(prediction, target);
            case SAL -> Losses.balancedBce(prediction, target, null); // weight from the batch's own balance
            case EDGE -> Losses.balancedBce(prediction, target, edgePosWeight);
            case NORMALS -> Losses.normalsL1(prediction, target);
            case DEPTH -> Losses.depthL1(prediction, target);
        };
    }
}
