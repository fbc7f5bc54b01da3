package org.m3vit.task;

import java.util.Locale;

/**
 * The dense-prediction tasks, in the reference's fixed order (semseg, human_parts, sal, normals, edge,
 * depth). Task ids are positions in a {@link TaskSet}, i.e. this order filtered to the enabled tasks.
 */
public enum Task {
    SEMSEG("semseg", 1, true),
    HUMAN_PARTS("human_parts", 1, true),
    SAL("sal", 1, false),
    NORMALS("normals", 3, false),
    EDGE("edge", 1, false),
    DEPTH("depth", 1, false);

    /** Label value that losses and metrics skip (the reference's ignore index). */
    public static final int IGNORE = 255;

    /** Human-part classes: background + head, torso, upper arm, lower arm, upper leg, lower leg. */
    public static final int HUMAN_PART_CLASSES = 7;

    private final String id;
    private final int targetChannels;
    private final boolean classMap;

    Task(String id, int targetChannels, boolean classMap) {
        this.id = id;
        this.targetChannels = targetChannels;
        this.classMap = classMap;
    }

    /** The reference name, used in state-dict keys ({@code decoders.{id}.…}) and on the command line. */
    public String id() {
        return id;
    }

    /** Channels of the ground truth (1 for class maps and scalar maps, 3 for normals). */
    public int targetChannels() {
        return targetChannels;
    }

    /** True for class-index maps (semseg, human parts), delivered as {@code int[]} labels. */
    public boolean isClassMap() {
        return classMap;
    }

    /** Output channels of this task's head on a dataset (semseg depends on the label set). */
    public int outputChannels(Dataset dataset) {
        switch (this) {
            case SEMSEG:
                return dataset.semsegClasses();
            case HUMAN_PARTS:
                return HUMAN_PART_CLASSES;
            case NORMALS:
                return 3;
            default:
                return 1;
        }
    }

    public static Task parse(String name) {
        if (name != null) {
            String n = name.trim().toLowerCase(Locale.ROOT);
            for (Task t : values()) {
                if (t.id.equals(n)) {
                    return t;
                }
            }
        }
        throw new IllegalArgumentException("unknown task '" + name
                + "'; expected one of semseg, human_parts, sal, normals, edge, depth");
    }
}
