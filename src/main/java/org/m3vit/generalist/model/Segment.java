package org.m3vit.generalist.model;

/**
 * A run of consecutive positions of every sequence in a batch that shares one routing condition: its
 * attribute row, its token modality and the task (Uni-Perceiver-MoE routes per segment, not per sample).
 *
 * @param start first position
 * @param length number of positions
 * @param attributes the segment's 8-dim attribute vector ({@link Attributes})
 * @param modality {@link #VISUAL} or {@link #TEXT}
 */
public record Segment(int start, int length, float[] attributes, int modality) {

    /** Token modalities, as the modality embedding and modality-level routing see them. */
    public static final int VISUAL = 0;

    public static final int TEXT = 1;

    public static final int MODALITIES = 2;

    public int end() {
        return start + length;
    }

    /** The routing condition's key for caches: what the router of {@code level} sees of this segment. */
    public String conditionKey(String level, int task) {
        return switch (level) {
            case "attribute" -> "attribute:" + Attributes.key(attributes);
            case "modality" -> "modality:" + modality;
            case "task" -> "task:" + task;
            default -> throw new IllegalArgumentException(level + " routing depends on the tokens; nothing to merge");
        };
    }
}
