package org.m3vit.data;

import java.util.Locale;

/**
 * The dense prediction tasks of M³ViT. Each task knows how many channels its target has and how the
 * reference resamples it (label-like maps nearest, normals and images cubic), so augmentation code can
 * treat all targets generically.
 */
public enum Task {
    SEMSEG(1, Interpolation.NEAREST, true),
    HUMAN_PARTS(1, Interpolation.NEAREST, true),
    SAL(1, Interpolation.NEAREST, false),
    NORMALS(3, Interpolation.CUBIC, false),
    EDGE(1, Interpolation.NEAREST, false),
    DEPTH(1, Interpolation.NEAREST, false);

    /** Label value that losses and metrics skip (the reference's ignore index). */
    public static final int IGNORE = 255;

    /** Number of human-part classes: background + head, torso, upper arm, lower arm, upper leg, lower leg. */
    public static final int HUMAN_PART_CLASSES = 7;

    private final int channels;
    private final Interpolation interpolation;
    private final boolean integerLabels;

    Task(int channels, Interpolation interpolation, boolean integerLabels) {
        this.channels = channels;
        this.interpolation = interpolation;
        this.integerLabels = integerLabels;
    }

    public int channels() {
        return channels;
    }

    public Interpolation interpolation() {
        return interpolation;
    }

    /** True for class-index maps (semseg, human parts), which are delivered as {@code int[]}. */
    public boolean integerLabels() {
        return integerLabels;
    }

    /** The reference's task key, e.g. {@code human_parts}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Task fromKey(String key) {
        for (Task t : values()) {
            if (t.key().equals(key)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown task '" + key + "'; expected one of semseg, human_parts, sal, normals, edge, depth");
    }
}
