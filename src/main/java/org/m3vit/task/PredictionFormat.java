package org.m3vit.task;

/**
 * How the reference's results layout stores one task's saved prediction ({@code DIR/<task>/<id>.<ext>}).
 * The encodings themselves live with the results layout ({@code eval.PredictionFiles}).
 */
public enum PredictionFormat {
    /** 8-bit palette PNG whose indices are the classes (VOC palette for viewing). */
    PALETTE_PNG("png"),
    /** 8-bit grey PNG. */
    GRAY_PNG("png"),
    /** 8-bit RGB PNG, three channels. */
    RGB_PNG("png"),
    /** float32 {@code .npy} of shape (H, W) (the reference writes {@code .mat}). */
    FLOAT32_NPY("npy");

    private final String extension;

    PredictionFormat(String extension) {
        this.extension = extension;
    }

    /** The file extension, without the dot. */
    public String extension() {
        return extension;
    }
}
