package org.m3vit.data;

/** One augmented, normalised training/validation sample: image (3, H, W) float32 and its task targets. */
public final class Sample {

    private final String id;
    private final float[] image;
    private final TaskTargets targets;

    public Sample(String id, float[] image, TaskTargets targets) {
        if (image.length != 3 * targets.height() * targets.width()) {
            throw new IllegalArgumentException("sample " + id + ": image has " + image.length + " values, expected 3x"
                    + targets.height() + "x" + targets.width());
        }
        this.id = id;
        this.image = image;
        this.targets = targets;
    }

    public String id() {
        return id;
    }

    /** (3, H, W) channel-first, ImageNet mean/std normalised. */
    public float[] image() {
        return image;
    }

    public TaskTargets targets() {
        return targets;
    }

    public int height() {
        return targets.height();
    }

    public int width() {
        return targets.width();
    }
}
