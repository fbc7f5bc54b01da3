package org.m3vit.infer;

import java.util.Arrays;
import org.m3vit.data.Augmentation;
import org.m3vit.errors.InvalidInputException;

/**
 * How a raw RGB image becomes model input: resized (cubic, cv2 semantics) to the input size, scaled to
 * [0, 1] and normalised per channel. A model artifact records it, so a server or a batch job
 * preprocesses exactly as the model was trained.
 *
 * @param height input height
 * @param width input width
 * @param mean per-channel mean (RGB) subtracted after scaling to [0, 1]
 * @param std per-channel std (RGB) divided by
 */
public record Preprocessing(int height, int width, float[] mean, float[] std) {

    public Preprocessing {
        if (height < 1 || width < 1) {
            throw InvalidInputException.field("input_size", "must be positive, got " + height + "x" + width);
        }
        if (mean == null || mean.length != 3 || std == null || std.length != 3) {
            throw InvalidInputException.field("mean/std", "need three values each (RGB)");
        }
        for (int c = 0; c < 3; c++) {
            if (!Float.isFinite(mean[c]) || !(std[c] > 0) || !Float.isFinite(std[c])) {
                throw InvalidInputException.field(
                        "mean/std",
                        "must be finite with std > 0, got mean " + Arrays.toString(mean) + " std "
                                + Arrays.toString(std));
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    /** The training pipeline's: ImageNet mean and std at the given input size. */
    public static Preprocessing imagenet(int height, int width) {
        return new Preprocessing(height, width, Augmentation.MEAN, Augmentation.STD);
    }

    /** An (h, w, 3) image in [0, 255] → (3, height, width) normalised. */
    public float[] apply(float[] hwcImage, int h, int w) {
        return Augmentation.valImage(hwcImage, h, w, height, width, mean, std);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Preprocessing p
                && p.height == height
                && p.width == width
                && Arrays.equals(p.mean, mean)
                && Arrays.equals(p.std, std);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * height + width) + Arrays.hashCode(mean) + 7 * Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return height + "x" + width + " mean " + Arrays.toString(mean) + " std " + Arrays.toString(std);
    }
}
