package org.m3vit.spark;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.io.ImageFiles;
import org.m3vit.io.NpyFiles;
import org.m3vit.io.Tensor;
import org.m3vit.task.HeadOutput;
import org.m3vit.task.Task;

/**
 * How one task's output for one input is saved, as {@code m3vit predict} saves it: {@code npy} is the
 * head's raw output (1, C, H, W) float32 at the model's size; {@code png} is the task's rendering, resized
 * back to an image input's own size (nearest for class maps, whose colours must not blend).
 */
public enum OutputFormat {
    NPY,
    PNG;

    public static OutputFormat parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "npy" -> NPY;
            case "png" -> PNG;
            default -> throw InvalidInputException.field("format", "expected npy or png, got '" + s + "'");
        };
    }

    public String extension() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The file's path under the output directory: {@code <task>/<name>.<ext>}. */
    String relativePath(Task task, String name) {
        return task.id() + "/" + name + "." + extension();
    }

    /** @param output one input's (1, C, H, W) head output */
    byte[] encode(Task task, Tensor output, InputFile input) {
        long[] s = output.shape();
        int c = (int) s[1];
        int h = (int) s[2];
        int w = (int) s[3];
        if (this == NPY) {
            return NpyFiles.encodeFloat32(new int[] {1, c, h, w}, output.floats());
        }
        BufferedImage vis = task.spec().render(new HeadOutput(output.floats(), c, h, w));
        boolean nearest = task.spec().isClassMap();
        try {
            return ImageFiles.pngBytes(
                    ImageFiles.resizeForDisplay(vis, input.originalWidth(), input.originalHeight(), nearest));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
