package org.m3vit.data;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import org.m3vit.task.Task;

/**
 * One sample as read from disk, before augmentation. Everything is stored as interleaved (H, W, C)
 * float planes so the augmentation can warp images and targets with one code path:
 * <ul>
 *   <li>image: RGB in [0, 255], 3 channels;</li>
 *   <li>semseg / human_parts: class index, {@link Task#IGNORE} = ignore;</li>
 *   <li>sal / edge: {0, 1};</li>
 *   <li>normals: 3 channels, unit vectors or all-zero where invalid;</li>
 *   <li>depth: metres, 0 where invalid.</li>
 * </ul>
 *
 * <p>The arrays are shared and never written after reading: the augmentation writes new ones, which is
 * what lets {@link MultiTaskDataset} keep one decoded copy for every epoch.
 */
public final class RawSample {

    private final String id;
    private final int height;
    private final int width;
    private final float[] image;
    private final Map<Task, float[]> targets;

    public RawSample(String id, int height, int width, float[] image, Map<Task, float[]> targets) {
        if (image.length != height * width * 3) {
            throw new IllegalArgumentException("sample " + id + ": image has " + image.length + " values, expected "
                    + height + "x" + width + "x3");
        }
        EnumMap<Task, float[]> copy = new EnumMap<>(Task.class);
        for (Map.Entry<Task, float[]> e : targets.entrySet()) {
            int channels = e.getKey().spec().targetChannels();
            int expected = height * width * channels;
            if (e.getValue().length != expected) {
                throw new IllegalArgumentException(
                        "sample " + id + ": " + e.getKey().id() + " has " + e.getValue().length + " values, expected "
                                + height + "x" + width + "x" + channels);
            }
            copy.put(e.getKey(), e.getValue());
        }
        this.id = id;
        this.height = height;
        this.width = width;
        this.image = image;
        this.targets = Collections.unmodifiableMap(copy);
    }

    public String id() {
        return id;
    }

    /** Bytes the image and target planes take. */
    public long bytes() {
        long floats = image.length;
        for (float[] t : targets.values()) {
            floats += t.length;
        }
        return floats * Float.BYTES;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** RGB, (H, W, 3) interleaved, values in [0, 255]. */
    public float[] image() {
        return image;
    }

    /** (H, W, C) plane of one task; throws if this sample does not carry that task. */
    public float[] target(Task task) {
        float[] t = targets.get(task);
        if (t == null) {
            throw new IllegalArgumentException("sample " + id + " has no " + task.id() + " target");
        }
        return t;
    }

    public Map<Task, float[]> targets() {
        return targets;
    }
}
