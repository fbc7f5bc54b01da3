package org.m3vit.io;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.m3vit.errors.Limits;

/**
 * JPEG/PNG reading and writing through the JDK's ImageIO. Reading failures name the file and the
 * problem; label maps are read as raw sample values (palette indices for VOC-style PNGs), never as
 * colours.
 */
public final class ImageFiles {

    /** A decoded image: (H, W, C) interleaved values. */
    public static final class Pixels {
        public final int height;
        public final int width;
        public final int channels;
        public final float[] data;

        Pixels(int height, int width, int channels, float[] data) {
            this.height = height;
            this.width = width;
            this.channels = channels;
            this.data = data;
        }
    }

    private ImageFiles() {}

    /** Image files larger than this are refused before they are read (a PNG or JPEG of the pixel limit is far smaller). */
    static final long MAX_FILE_BYTES = 1L << 28;

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    /**
     * Decodes a JPEG or PNG strictly: the declared size is checked against {@link Limits#MAX_IMAGE_PIXELS}
     * before any pixel is decoded (decompression bombs), a PNG's chunk CRCs must be right and its IEND
     * present, and any decoder warning (a truncated JPEG, which the JDK would fill in grey) is an error.
     */
    private static BufferedImage decode(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(file + ": is a directory, expected an image file");
        }
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new IllegalArgumentException(
                        file + ": image file of " + size + " bytes exceeds the limit of " + MAX_FILE_BYTES + " bytes");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": file not found");
        }
        return decode(file.toString(), bytes);
    }

    /** {@link #decode(Path)} on bytes; {@code name} names them in errors. */
    public static BufferedImage decode(String name, byte[] bytes) {
        boolean png = startsWith(bytes, PNG_SIGNATURE);
        if (png) {
            checkPngChunks(name, bytes);
        }
        // A memory-cached stream: ImageIO.read(InputStream) would otherwise spool into a temp file.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IllegalArgumentException(name + ": not a readable JPEG/PNG image");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                Limits.checkImagePixels(name, reader.getWidth(0), reader.getHeight(0));
                List<String> warnings = new ArrayList<>();
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                BufferedImage img = reader.read(0);
                if (!warnings.isEmpty()) {
                    throw new IllegalArgumentException(
                            name + ": malformed image (" + warnings.get(0) + "; truncated or corrupt?)");
                }
                if (img == null) {
                    throw new IllegalArgumentException(name + ": not a readable JPEG/PNG image");
                }
                return img;
            } finally {
                reader.dispose();
            }
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(name + ": malformed image (" + e.getMessage() + ")");
        }
    }

    /** Walks a PNG's chunks: lengths inside the file, every CRC right, an IEND at the end of the chunks. */
    private static void checkPngChunks(String name, byte[] b) {
        int pos = PNG_SIGNATURE.length;
        CRC32 crc = new CRC32();
        while (true) {
            if (pos + 12 > b.length) {
                throw new IllegalArgumentException(name + ": malformed image (truncated PNG: no IEND chunk)");
            }
            long len = ((b[pos] & 0xffL) << 24)
                    | ((b[pos + 1] & 0xff) << 16)
                    | ((b[pos + 2] & 0xff) << 8)
                    | (b[pos + 3] & 0xff);
            if (len > b.length - pos - 12L) {
                throw new IllegalArgumentException(name + ": malformed image (truncated PNG: the chunk at byte " + pos
                        + " declares " + len + " bytes)");
            }
            String type = new String(b, pos + 4, 4, StandardCharsets.ISO_8859_1);
            crc.reset();
            crc.update(b, pos + 4, 4 + (int) len);
            int at = pos + 8 + (int) len;
            long stored = ((b[at] & 0xffL) << 24)
                    | ((b[at + 1] & 0xff) << 16)
                    | ((b[at + 2] & 0xff) << 8)
                    | (b[at + 3] & 0xff);
            if (stored != crc.getValue()) {
                throw new IllegalArgumentException(name + ": malformed image (corrupt PNG: bad CRC of the "
                        + printable(type) + " chunk at byte " + pos + ")");
            }
            pos = at + 4;
            if (type.equals("IEND")) {
                return;
            }
        }
    }

    private static String printable(String type) {
        return type.chars().allMatch(c -> c >= 0x21 && c < 0x7f) ? type : "unnamed";
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** Reads any image as RGB, (H, W, 3) values in [0, 255]. */
    public static Pixels readRgb(Path file) throws IOException {
        return rgb(decode(file));
    }

    /**
     * Decodes an encoded JPEG or PNG held in memory (an upload) as RGB, (H, W, 3) values in [0, 255].
     * The pixel count is read from the image header and checked against {@code maxPixels} before any
     * pixel is decoded, so a small file that declares a huge image cannot exhaust memory. Anything that
     * is not a complete JPEG/PNG (another format, garbage, a truncated file) is an
     * {@link IllegalArgumentException} whose message starts with {@code name}.
     *
     * @param name what the bytes are, for messages (a request field such as {@code image[0]})
     */
    public static Pixels decodeRgb(byte[] bytes, String name, long maxPixels) {
        return rgb(decodeBounded(bytes, name, maxPixels));
    }

    private static BufferedImage decodeBounded(byte[] bytes, String name, long maxPixels) {
        String format = sniffFormat(bytes);
        if (format == null) {
            throw new IllegalArgumentException(
                    name + ": not a JPEG or PNG image (" + bytes.length + " bytes that start with neither signature)");
        }
        ImageReader reader = ImageIO.getImageReadersByFormatName(format).next();
        // Decoders report a truncated or corrupt stream as a warning and fill the rest with grey;
        // an upload that is not whole must be an error instead.
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(in, true, true);
            long w;
            long h;
            try {
                w = reader.getWidth(0);
                h = reader.getHeight(0);
            } catch (IOException | RuntimeException e) {
                throw undecodable(name, format, e);
            }
            if (w < 1 || h < 1 || w * h > maxPixels) {
                throw new IllegalArgumentException(name + ": the " + format + " image is " + w + "x" + h + " = " + w * h
                        + " pixels; at most " + maxPixels + " are accepted");
            }
            BufferedImage img;
            try {
                img = reader.read(0);
            } catch (IOException | RuntimeException e) {
                throw undecodable(name, format, e);
            }
            if (!warnings.isEmpty()) {
                throw new IllegalArgumentException(name + ": the " + format + " image is truncated or corrupt ("
                        + String.join("; ", warnings) + ")");
            }
            return img;
        } catch (IOException e) {
            throw undecodable(name, format, e); // closing a memory stream; not expected
        } finally {
            reader.dispose();
        }
    }

    private static IllegalArgumentException undecodable(String name, String format, Exception e) {
        return new IllegalArgumentException(
                name + ": cannot decode the " + format + " image, it is truncated or" + " corrupt ("
                        + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")",
                e);
    }

    /** "jpeg" or "png" from the file signature, or null. */
    private static String sniffFormat(byte[] b) {
        if (b.length >= 3 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xD8 && (b[2] & 0xff) == 0xFF) {
            return "jpeg";
        }
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
        if (b.length < png.length) {
            return null;
        }
        for (int i = 0; i < png.length; i++) {
            if (b[i] != png[i]) {
                return null;
            }
        }
        return "png";
    }

    private static Pixels rgb(BufferedImage img) {
        int h = img.getHeight();
        int w = img.getWidth();
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        float[] out = new float[h * w * 3];
        for (int i = 0; i < argb.length; i++) {
            int p = argb[i];
            out[3 * i] = (p >> 16) & 0xff;
            out[3 * i + 1] = (p >> 8) & 0xff;
            out[3 * i + 2] = p & 0xff;
        }
        return new Pixels(h, w, 3, out);
    }

    /**
     * Reads a single-channel map (grayscale or palette PNG) as its raw values: palette indices for an
     * indexed PNG, the gray level otherwise. Multi-channel images are rejected, because a colour-coded
     * label map would otherwise be silently misread.
     */
    public static Pixels readIndexed(Path file) throws IOException {
        BufferedImage img = decode(file);
        Raster r = img.getRaster();
        if (r.getNumBands() != 1) {
            throw new IllegalArgumentException(
                    file + ": expected a single-channel (grayscale or palette) label PNG, got " + r.getNumBands()
                            + " channels");
        }
        int h = img.getHeight();
        int w = img.getWidth();
        int[] v = r.getSamples(0, 0, w, h, 0, (int[]) null);
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return new Pixels(h, w, 1, out);
    }

    /** Reads a grayscale image; colour images are converted with PIL's 'L' weights (0.299, 0.587, 0.114). */
    public static Pixels readGray(Path file) throws IOException {
        BufferedImage img = decode(file);
        Raster r = img.getRaster();
        int h = img.getHeight();
        int w = img.getWidth();
        if (r.getNumBands() == 1 && !(img.getColorModel() instanceof IndexColorModel)) {
            int[] v = r.getSamples(0, 0, w, h, 0, (int[]) null);
            float[] out = new float[v.length];
            int max = (1 << img.getColorModel().getComponentSize(0)) - 1;
            for (int i = 0; i < v.length; i++) {
                out[i] = max == 255 ? v[i] : v[i] * 255f / max;
            }
            return new Pixels(h, w, 1, out);
        }
        Pixels rgb = readRgb(file);
        float[] out = new float[h * w];
        for (int i = 0; i < out.length; i++) {
            out[i] = (rgb.data[3 * i] * 299 + rgb.data[3 * i + 1] * 587 + rgb.data[3 * i + 2] * 114) / 1000f;
        }
        return new Pixels(h, w, 1, out);
    }

    /** Encodes an RGB image, (H, W, 3) bytes, as JPEG of the given quality (0..1). */
    public static byte[] jpeg(int height, int width, byte[] rgb, float quality) throws IOException {
        BufferedImage img = rgbImage(height, width, rgb);
        ByteArrayOutputStream out = new ByteArrayOutputStream(height * width);
        Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName("jpeg");
        ImageWriter writer = it.next();
        try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(ios);
            ImageWriteParam p = writer.getDefaultWriteParam();
            p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            p.setCompressionQuality(quality);
            writer.write(null, new IIOImage(img, null, null), p);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** Encodes an RGB PNG, (H, W, 3) bytes. */
    public static byte[] rgbPng(int height, int width, byte[] rgb) throws IOException {
        return png(rgbImage(height, width, rgb));
    }

    /** Encodes an 8-bit grayscale PNG. */
    public static byte[] grayPng(int height, int width, byte[] gray) throws IOException {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        img.getRaster().setDataElements(0, 0, width, height, gray);
        return png(img);
    }

    /** Encodes an 8-bit palette PNG (indices in {@code idx}), as the VOC label PNGs are stored. */
    public static byte[] indexedPng(int height, int width, byte[] idx, IndexColorModel palette) throws IOException {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_INDEXED, palette);
        WritableRaster r = img.getRaster();
        r.setDataElements(0, 0, width, height, idx);
        return png(img);
    }

    /** The PASCAL VOC colour map (bit-interleaved class index), used for indexed label PNGs. */
    public static IndexColorModel vocPalette() {
        byte[] red = new byte[256];
        byte[] green = new byte[256];
        byte[] blue = new byte[256];
        for (int i = 0; i < 256; i++) {
            int r = 0;
            int g = 0;
            int b = 0;
            int c = i;
            for (int j = 0; j < 8; j++) {
                r |= ((c) & 1) << (7 - j);
                g |= ((c >> 1) & 1) << (7 - j);
                b |= ((c >> 2) & 1) << (7 - j);
                c >>= 3;
            }
            red[i] = (byte) r;
            green[i] = (byte) g;
            blue[i] = (byte) b;
        }
        return new IndexColorModel(8, 256, red, green, blue);
    }

    private static BufferedImage rgbImage(int height, int width, byte[] rgb) {
        if (rgb.length != height * width * 3) {
            throw new IllegalArgumentException(
                    "RGB buffer has " + rgb.length + " bytes, expected " + height + "x" + width + "x3");
        }
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        // setPixels takes samples in band order (R, G, B) whatever the memory layout is.
        int[] samples = new int[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            samples[i] = rgb[i] & 0xff;
        }
        img.getRaster().setPixels(0, 0, width, height, samples);
        return img;
    }

    /** Encodes any image as PNG bytes (fast deflate, as {@link #rgbPng}). */
    public static byte[] pngBytes(BufferedImage img) throws IOException {
        return png(img);
    }

    /**
     * PNG with fast deflate: JDK's writer maps quality q to deflate level round(9·(1−q)); level 1 is several
     * times faster than the default on noisy maps (normals) and the files are lossless either way.
     */
    private static byte[] png(BufferedImage img) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(img.getWidth() * img.getHeight());
        ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
        try (MemoryCacheImageOutputStream ios = new MemoryCacheImageOutputStream(buf)) {
            writer.setOutput(ios);
            ImageWriteParam p = writer.getDefaultWriteParam();
            if (p.canWriteCompressed()) {
                p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                p.setCompressionQuality(0.9f);
            }
            writer.write(null, new IIOImage(img, null, null), p);
        } finally {
            writer.dispose();
        }
        return buf.toByteArray();
    }

    /** Resizes a rendered image (for display) to width × height: nearest for class maps, else bilinear. */
    public static BufferedImage resizeForDisplay(BufferedImage src, int width, int height, boolean nearest) {
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(
                RenderingHints.KEY_INTERPOLATION,
                nearest
                        ? RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR
                        : RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, width, height, null);
        g.dispose();
        return out;
    }

    /** Writes a PNG atomically. */
    public static void writePng(Path file, BufferedImage img) throws IOException {
        AtomicFiles.write(file, out -> {
            if (!ImageIO.write(img, "png", out)) {
                throw new IOException("no PNG writer available");
            }
        });
    }
}
