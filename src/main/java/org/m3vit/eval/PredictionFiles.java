package org.m3vit.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.io.AtomicFiles;
import org.m3vit.io.ImageFiles;
import org.m3vit.io.NpyArray;
import org.m3vit.io.NpyFiles;
import org.m3vit.io.OutputPaths;
import org.m3vit.task.DenseTaskSpec;
import org.m3vit.task.SavedPrediction;

/**
 * The reference's results layout: {@code DIR/<task>/<id>.<ext>}, each task's file in its
 * {@link DenseTaskSpec#savedFormat}: uint8 PNGs (class maps as palette PNGs whose indices are the classes,
 * sal/edge grayscale, normals RGB) and {@code DIR/depth/<id>.npy} (float32 metres, shape (H, W); the
 * reference writes .mat, .npy keeps us free of a MATLAB writer).
 */
public final class PredictionFiles {

    private PredictionFiles() {}

    /** {@code dir/<task>/<id>.<ext>}; {@code id} must be a plain file name (split files are checked for it). */
    public static Path path(Path dir, DenseTaskSpec task, String id) {
        if (!OutputPaths.isPlainName(id)) {
            throw InvalidInputException.field("id", "'" + id + "' is not a plain file name");
        }
        return dir.resolve(task.id()).resolve(id + "." + task.savedFormat().extension());
    }

    public static void write(Path dir, String id, SavedPrediction p) throws IOException {
        Path file = path(dir, p.spec(), id);
        Files.createDirectories(file.getParent());
        int h = p.height();
        int w = p.width();
        float[] v = p.values();
        switch (p.spec().savedFormat()) {
            case FLOAT32_NPY -> NpyFiles.writeFloat32(file, new int[] {h, w}, v);
            case PALETTE_PNG -> AtomicFiles.write(file, ImageFiles.indexedPng(h, w, bytes(v), ImageFiles.vocPalette()));
            case RGB_PNG -> AtomicFiles.write(file, ImageFiles.rgbPng(h, w, bytes(v)));
            case GRAY_PNG -> AtomicFiles.write(file, ImageFiles.grayPng(h, w, bytes(v)));
        }
    }

    /** Reads a saved prediction; a missing file is an {@link IllegalArgumentException} naming it. */
    public static SavedPrediction read(Path dir, DenseTaskSpec task, String id) throws IOException {
        Path file = path(dir, task, id);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": prediction file not found");
        }
        ImageFiles.Pixels px;
        switch (task.savedFormat()) {
            case FLOAT32_NPY -> {
                NpyArray a = NpyFiles.read(file);
                int[] s = a.shape();
                boolean ok = s.length == 2 || (s.length == 3 && s[0] == 1);
                if (!ok) {
                    throw new IllegalArgumentException(
                            file + ": expected a (H, W) or (1, H, W) " + task.id() + " map, got " + a.shapeString());
                }
                a.requireFinite(file.toString());
                return new SavedPrediction(task, s[s.length - 2], s[s.length - 1], a.data());
            }
            case PALETTE_PNG -> px = ImageFiles.readIndexed(file);
            case RGB_PNG -> px = ImageFiles.readRgb(file);
            case GRAY_PNG -> px = ImageFiles.readGray(file);
            default -> throw new AssertionError(task.savedFormat());
        }
        return new SavedPrediction(task, px.height, px.width, px.data);
    }

    private static byte[] bytes(float[] v) {
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (byte) Math.max(0, Math.min(255, Math.round(v[i])));
        }
        return out;
    }
}
