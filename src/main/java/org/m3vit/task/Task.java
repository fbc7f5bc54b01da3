package org.m3vit.task;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.m3vit.errors.InvalidInputException;

/**
 * The dense-prediction tasks, in the reference's fixed order (semseg, human_parts, sal, normals, edge,
 * depth). Task ids are positions in a {@link TaskSet}, i.e. this order filtered to the enabled tasks.
 *
 * <p>A task is only its identity here; what it does (channels, loss, metrics, decoding, pictures) is its
 * {@link #spec()}, so nothing needs to switch on the task.
 */
public enum Task {
    SEMSEG("semseg"),
    HUMAN_PARTS("human_parts"),
    SAL("sal"),
    NORMALS("normals"),
    EDGE("edge"),
    DEPTH("depth");

    /** Label value that losses and metrics skip (the reference's ignore index). */
    public static final int IGNORE = 255;

    private final String id;

    Task(String id) {
        this.id = id;
    }

    /** The reference name, used in state-dict keys ({@code decoders.{id}.…}) and on the command line. */
    public String id() {
        return id;
    }

    /** What this task does: its registered spec (the one whose id is {@link #id()}). */
    public DenseTaskSpec spec() {
        return TaskSpecs.dense(this);
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
        List<String> ids = new ArrayList<>();
        for (Task t : values()) {
            ids.add(t.id);
        }
        throw new InvalidInputException(
                InvalidInputException.Kind.FIELD,
                "task",
                "unknown task '" + name + "'; expected one of " + String.join(", ", ids));
    }
}
