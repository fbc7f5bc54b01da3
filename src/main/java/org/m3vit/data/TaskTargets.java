package org.m3vit.data;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import org.m3vit.task.Task;

/**
 * Per-task ground truth of one augmented sample, channel-first like the network output:
 * <ul>
 *   <li>semseg, human_parts: {@code int[H*W]} class indices, 255 = ignore;</li>
 *   <li>sal, edge: {@code float[H*W]} in {0, 1};</li>
 *   <li>normals: {@code float[3*H*W]} (3, H, W), unit length, 255 in all channels where invalid;</li>
 *   <li>depth: {@code float[H*W]} metres, 255 where invalid.</li>
 * </ul>
 */
public final class TaskTargets {

    private final int height;
    private final int width;
    private final Map<Task, int[]> labels;
    private final Map<Task, float[]> dense;

    public TaskTargets(int height, int width, Map<Task, int[]> labels, Map<Task, float[]> dense) {
        this.height = height;
        this.width = width;
        this.labels = Collections.unmodifiableMap(labels.isEmpty() ? new EnumMap<>(Task.class) : new EnumMap<>(labels));
        this.dense = Collections.unmodifiableMap(dense.isEmpty() ? new EnumMap<>(Task.class) : new EnumMap<>(dense));
        for (Map.Entry<Task, int[]> e : this.labels.entrySet()) {
            check(e.getKey(), e.getValue().length, true);
        }
        for (Map.Entry<Task, float[]> e : this.dense.entrySet()) {
            check(e.getKey(), e.getValue().length, false);
        }
    }

    private void check(Task t, int length, boolean asLabels) {
        boolean classMap = t.spec().isClassMap();
        int channels = t.spec().targetChannels();
        if (classMap != asLabels) {
            throw new IllegalArgumentException(
                    t.id() + " must be given as " + (classMap ? "int labels" : "float values"));
        }
        if (length != channels * height * width) {
            throw new IllegalArgumentException(
                    t.id() + " has " + length + " values, expected " + channels + "x" + height + "x" + width);
        }
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public Set<Task> tasks() {
        EnumMap<Task, Boolean> all = new EnumMap<>(Task.class);
        labels.keySet().forEach(t -> all.put(t, true));
        dense.keySet().forEach(t -> all.put(t, true));
        return all.keySet();
    }

    /** Class-index map of semseg or human_parts, (H, W). */
    public int[] labels(Task task) {
        int[] v = labels.get(task);
        if (v == null) {
            throw new IllegalArgumentException("no " + task.id() + " labels in this sample");
        }
        return v;
    }

    /** Float target of sal, edge, normals (3, H, W) or depth (1, H, W). */
    public float[] values(Task task) {
        float[] v = dense.get(task);
        if (v == null) {
            throw new IllegalArgumentException("no " + task.id() + " target in this sample");
        }
        return v;
    }
}
