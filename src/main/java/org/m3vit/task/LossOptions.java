package org.m3vit.task;

/**
 * The training config's settings of the per-task losses.
 *
 * @param edgePosWeight the fixed positive-class weight of the edge loss ({@code task_dictionary.edge_w})
 */
public record LossOptions(float edgePosWeight) {

    /** The reference's settings (edge_w 0.95). */
    public static final LossOptions REFERENCE = new LossOptions(0.95f);
}
