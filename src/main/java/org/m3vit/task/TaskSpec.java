package org.m3vit.task;

/**
 * What one task is, beyond its name: the behaviour that every task-specific place in m3vit asks for
 * instead of switching on the task. Implementations register in
 * {@code META-INF/services/org.m3vit.task.TaskSpec} and are looked up through {@link TaskSpecs}.
 *
 * <p>This is the part every kind of task shares (the metrics report and comparisons need no more).
 * Dense-prediction tasks, whose head predicts a map per image, implement {@link DenseTaskSpec}; other
 * kinds of task (e.g. similarity tasks of a generalist model) would extend this interface their own way.
 */
public interface TaskSpec {

    /**
     * The reference name: state-dict keys ({@code decoders.{id}.…}), the command line, metrics JSON keys and
     * results directories.
     */
    String id();

    /** The metric that Δm and the demo's comparison use, and how to judge and print it. */
    MainMetric mainMetric();
}
