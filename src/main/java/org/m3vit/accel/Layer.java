package org.m3vit.accel;

import java.util.List;

/**
 * One layer of a pathway, for one image: its ops in order, and for an MoE block the queue length of every
 * expert (how many of this image's tokens chose it); {@code queueLengths} is null for other layers.
 *
 * @param backbone false for the task's head (reports give backbone-only totals too)
 */
public record Layer(String name, boolean backbone, List<Step> steps, int[] queueLengths) {

    public Layer {
        steps = List.copyOf(steps);
        queueLengths = queueLengths == null ? null : queueLengths.clone();
    }

    @Override
    public int[] queueLengths() {
        return queueLengths == null ? null : queueLengths.clone();
    }

    public boolean isMoe() {
        return queueLengths != null;
    }
}
