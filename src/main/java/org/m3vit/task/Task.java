package org.m3vit.task;

import java.util.Locale;

/**
 * The dense-prediction tasks, in the reference's fixed order (semseg, human_parts, sal, normals, edge,
 * depth). Task ids are positions in a {@link TaskSet}, i.e. this order filtered to the enabled tasks.
 */
public enum Task {
    SEMSEG("semseg"),
    HUMAN_PARTS("human_parts"),
    SAL("sal"),
    NORMALS("normals"),
    EDGE("edge"),
    DEPTH("depth");

    private final String id;

    Task(String id) {
        this.id = id;
    }

    /** The reference name, used in state-dict keys ({@code decoders.{id}.…}) and on the command line. */
    public String id() {
        return id;
    }

    /** Output channels of this task's head on a dataset (semseg depends on the label set). */
    public int outputChannels(Dataset dataset) {
        switch (this) {
            case SEMSEG:
                return dataset.semsegClasses();
            case HUMAN_PARTS:
                return 7;
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
