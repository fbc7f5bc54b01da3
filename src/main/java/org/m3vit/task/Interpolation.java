package org.m3vit.task;

/** Resampling kinds of the reference pipeline (a task's ground truth says which it takes). */
public enum Interpolation {
    NEAREST,
    CUBIC
}
