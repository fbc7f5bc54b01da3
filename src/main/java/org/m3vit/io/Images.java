package org.m3vit.io;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.imageio.ImageIO;

/** Image files in and out: RGB decoding, resizing, ImageNet normalisation, PNG writing. */
public final class Images {

    /** The reference's input normalisation (torchvision ImageNet statistics). */
    public static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    public static final float[] STD = {0.229f, 0.224f, 0.225f};

    private Images() {}

    public static BufferedImage read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("image file " + file + " does not exist or is not a file");
        }
        BufferedImage img;
        try {
            img = ImageIO.read(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("image file " + file + " could not be decoded: " + e.getMessage());
        }
        if (img == null) {
            throw new IllegalArgumentException("image file " + file + " is not a PNG or JPEG image this JVM can read");
        }
        return img;
    }

    /** Bilinear resize to width × height as an RGB image. */
    public static BufferedImage resize(BufferedImage src, int width, int height, boolean nearest) {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, nearest
                ? RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR : RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, width, height, null);
        g.dispose();
        return out;
    }

    /** (3, H, W) float32, RGB in [0, 1] then ImageNet-normalised, C order. */
    public static float[] toNormalizedChw(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        float[] out = new float[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = img.getRGB(x, y);
                int[] c = {(rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff};
                for (int k = 0; k < 3; k++) {
                    out[(k * h + y) * w + x] = (c[k] / 255f - MEAN[k]) / STD[k];
                }
            }
        }
        return out;
    }

    public static void writePng(Path file, BufferedImage img) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!name.endsWith(".png")) {
            throw new IllegalArgumentException("--out " + file + ": image output must be a .png file");
        }
        AtomicFiles.write(file, out -> {
            if (!ImageIO.write(img, "png", out)) {
                throw new IOException("no PNG writer available");
            }
        });
    }
}
