package org.m3vit.infer;

import org.m3vit.errors.InvalidInputException;

/**
 * One image for a {@link Predictor}: either raw decoded RGB pixels, which the predictor preprocesses as
 * the model's artifact says, or an already normalised (3, H, W) tensor at the model's input size.
 */
public sealed interface ModelInput {

    /** Decoded RGB, (h, w, 3) row-major values in [0, 255], any size. */
    record Image(float[] hwc, int height, int width) implements ModelInput {
        public Image {
            if (height < 1 || width < 1 || hwc == null || hwc.length != 3L * height * width) {
                throw InvalidInputException.field(
                        "image",
                        "expected " + height + "x" + width + "x3 RGB values, got "
                                + (hwc == null ? "none" : hwc.length));
            }
        }
    }

    /** A normalised (channels, height, width) image, row-major. */
    record Normalised(float[] chw, int channels, int height, int width) implements ModelInput {
        public Normalised {
            if (channels < 1
                    || height < 1
                    || width < 1
                    || chw == null
                    || chw.length != (long) channels * height * width) {
                throw InvalidInputException.field(
                        "input",
                        "expected (" + channels + ", " + height + ", " + width + ") values, got "
                                + (chw == null ? "none" : chw.length));
            }
        }
    }

    static ModelInput image(float[] hwc, int height, int width) {
        return new Image(hwc, height, width);
    }

    static ModelInput normalised(float[] chw, int channels, int height, int width) {
        return new Normalised(chw, channels, height, width);
    }
}
