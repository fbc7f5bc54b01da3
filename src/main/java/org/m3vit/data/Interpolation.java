package org.m3vit.data;

import org.m3vit.task.Task;

/** Resampling kinds of the reference pipeline. */
public enum Interpolation {
    NEAREST,
    CUBIC;

    /** How the reference resamples a task's ground truth: normals cubic (then renormalised), maps nearest. */
    public static Interpolation of(Task task) {
        return task == Task.NORMALS ? CUBIC : NEAREST;
    }
}
