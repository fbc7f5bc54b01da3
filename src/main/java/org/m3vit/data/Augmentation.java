package org.m3vit.data;

import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.DenseTaskSpec;
import org.m3vit.task.Interpolation;
import org.m3vit.task.Task;

/**
 * The reference input pipeline ({@code get_transformations}, {@code data/custom_transforms.py}), on plain
 * float arrays so it is deterministic, engine-independent and runs on loader threads.
 *
 * <p>Train: RandomHorizontalFlip p=0.5 (normals' x negated) → ScaleNRotate about the centre (PASCAL:
 * angle U(−20°, 20°), scale U(0.75, 1.25); NYUD: angle 0, scale from {1, 1.2, 1.5}, depth divided by the
 * scale; normals rotated in-plane) → FixedResize (image and normals cubic, label maps nearest; normals
 * renormalised) → AddIgnoreRegions (zero-norm normals, all-zero human-parts maps and zero depth → 255) →
 * ToTensor → ImageNet Normalize. Val: FixedResize → AddIgnoreRegions → ToTensor → Normalize.
 *
 * <p>ToTensor: the reference casts the cubic-resampled image with {@code astype(np.uint8)}, which wraps
 * overshoots around (−1 becomes 255). We clamp to [0, 255] before truncating instead: identical for
 * in-range values, and no speckle where cubic interpolation overshoots.
 */
public final class Augmentation {

    public static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    public static final float[] STD = {0.229f, 0.224f, 0.225f};

    private static final double[] NYUD_SCALES = {1.0, 1.2, 1.5};

    private final boolean train;
    private final DatasetLayout layout;
    private final int height;
    private final int width;

    private Augmentation(boolean train, DatasetLayout layout, int height, int width) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("output size must be positive, got " + height + "x" + width);
        }
        this.train = train;
        this.layout = layout;
        this.height = height;
        this.width = width;
    }

    /** Training augmentation with the layout's ScaleNRotate parameters, output resized to height × width. */
    public static Augmentation train(DatasetLayout layout, int height, int width) {
        return new Augmentation(true, layout, height, width);
    }

    /** Validation: resize and normalise only. */
    public static Augmentation val(DatasetLayout layout, int height, int width) {
        return new Augmentation(false, layout, height, width);
    }

    public boolean isTrain() {
        return train;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** Random draws of one training sample, in the order they are taken from the random source. */
    public static final class Draw {
        public final boolean flip;
        public final double angleDeg;
        public final double scale;

        public Draw(boolean flip, double angleDeg, double scale) {
            this.flip = flip;
            this.angleDeg = angleDeg;
            this.scale = scale;
        }
    }

    /** Draws flip, angle and scale for one sample. */
    public Draw draw(SplittableRandom rng) {
        boolean flip = rng.nextDouble() < 0.5;
        if (layout == DatasetLayout.PASCAL) {
            double angle = -20 + 40 * rng.nextDouble();
            double scale = 0.75 + 0.5 * rng.nextDouble();
            return new Draw(flip, angle, scale);
        }
        return new Draw(flip, 0, NYUD_SCALES[rng.nextInt(NYUD_SCALES.length)]);
    }

    /** Augments one sample; for training, the random choices come from {@code rng}. */
    public Sample apply(RawSample raw, SplittableRandom rng) {
        return apply(raw, train ? draw(rng) : null);
    }

    /** Augments one sample with explicit draws (null = validation pipeline). */
    public Sample apply(RawSample raw, Draw draw) {
        int h = raw.height();
        int w = raw.width();
        float[] image = raw.image();
        Map<Task, float[]> t = new EnumMap<>(Task.class);
        t.putAll(raw.targets());
        if (draw != null) {
            if (draw.flip) {
                image = Resampling.flipHorizontal(image, h, w, 3);
                for (Map.Entry<Task, float[]> e : t.entrySet()) {
                    DenseTaskSpec spec = e.getKey().spec();
                    float[] f = Resampling.flipHorizontal(e.getValue(), h, w, spec.targetChannels());
                    spec.afterFlip(f);
                    e.setValue(f);
                }
            }
            if (draw.angleDeg != 0 || draw.scale != 1) {
                double[] m = Resampling.rotationMatrix(w / 2.0, h / 2.0, draw.angleDeg, draw.scale);
                image = Resampling.warpAffine(image, h, w, 3, m, Interpolation.CUBIC);
                for (Map.Entry<Task, float[]> e : t.entrySet()) {
                    DenseTaskSpec spec = e.getKey().spec();
                    float[] f =
                            Resampling.warpAffine(e.getValue(), h, w, spec.targetChannels(), m, spec.interpolation());
                    spec.afterScaleRotate(f, draw.angleDeg, draw.scale);
                    e.setValue(f);
                }
            }
        }
        image = Resampling.resize(image, h, w, 3, height, width, Interpolation.CUBIC);
        for (Map.Entry<Task, float[]> e : t.entrySet()) {
            DenseTaskSpec spec = e.getKey().spec();
            float[] f =
                    Resampling.resize(e.getValue(), h, w, spec.targetChannels(), height, width, spec.interpolation());
            spec.afterResize(f);
            e.setValue(f);
        }
        return finish(raw.id(), image, t);
    }

    /**
     * ToTensor + Normalize: an (H, W, 3) image in [0, 255] (possibly overshooting after cubic resampling)
     * becomes (3, H, W) float32, each value cast to 0..255 integers, scaled to [0, 1] and normalised
     * with the ImageNet mean and std.
     */
    public static float[] toNormalizedChw(float[] hwcImage, int height, int width) {
        return toNormalizedChw(hwcImage, height, width, MEAN, STD);
    }

    /** {@link #toNormalizedChw(float[], int, int)} with another per-channel mean and std. */
    public static float[] toNormalizedChw(float[] hwcImage, int height, int width, float[] mean, float[] std) {
        int n = height * width;
        float[] image = new float[3 * n];
        for (int p = 0; p < n; p++) {
            for (int c = 0; c < 3; c++) {
                float v = hwcImage[3 * p + c];
                int u8 = (int) Math.max(0f, Math.min(255f, v));
                image[c * n + p] = (u8 / 255f - mean[c]) / std[c];
            }
        }
        return image;
    }

    /**
     * The validation transform of an image alone: cubic resize (cv2 semantics) of an (h, w, 3) image in
     * [0, 255] to height × width, then ToTensor + Normalize. What {@link #val} does to a sample's image.
     */
    public static float[] valImage(float[] hwcImage, int h, int w, int height, int width, float[] mean, float[] std) {
        float[] resized = Resampling.resize(hwcImage, h, w, 3, height, width, Interpolation.CUBIC);
        return toNormalizedChw(resized, height, width, mean, std);
    }

    /** AddIgnoreRegions + ToTensor + Normalize, and conversion to channel-first task targets. */
    private Sample finish(String id, float[] hwcImage, Map<Task, float[]> t) {
        float[] image = toNormalizedChw(hwcImage, height, width);
        Map<Task, int[]> labels = new EnumMap<>(Task.class);
        Map<Task, float[]> dense = new EnumMap<>(Task.class);
        for (Map.Entry<Task, float[]> e : t.entrySet()) {
            DenseTaskSpec spec = e.getKey().spec();
            float[] target = spec.toTarget(e.getValue(), height, width);
            if (spec.isClassMap()) {
                labels.put(e.getKey(), toInt(target));
            } else {
                dense.put(e.getKey(), target);
            }
        }
        return new Sample(id, image, new TaskTargets(height, width, labels, dense));
    }

    private static int[] toInt(float[] f) {
        int[] out = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = Math.round(f[i]);
        }
        return out;
    }
}
