package org.m3vit.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

/** Decoding uploads from memory: exact PNG pixels, JPEG, and a clear error for everything else. */
class ImageFilesDecodeTest {

    private static final int H = 5;
    private static final int W = 7;

    private static byte[] rgb() {
        byte[] v = new byte[H * W * 3];
        for (int i = 0; i < v.length; i++) {
            v[i] = (byte) (i * 37 % 256);
        }
        return v;
    }

    @Test
    void pngDecodesToTheExactPixels() throws Exception {
        byte[] rgb = rgb();
        ImageFiles.Pixels p = ImageFiles.decodeRgb(ImageFiles.rgbPng(H, W, rgb), "image[0]", 1000);
        assertEquals(H, p.height);
        assertEquals(W, p.width);
        for (int i = 0; i < rgb.length; i++) {
            assertEquals(rgb[i] & 0xff, p.data[i], 0, "value " + i);
        }
    }

    @Test
    void jpegDecodesToTheRightSize() throws Exception {
        ImageFiles.Pixels p = ImageFiles.decodeRgb(ImageFiles.jpeg(H, W, rgb(), 0.95f), "image[0]", 1000);
        assertEquals(H, p.height);
        assertEquals(W, p.width);
    }

    @Test
    void truncatedImagesAreErrors() throws Exception {
        byte[] png = ImageFiles.rgbPng(H, W, rgb());
        byte[] jpeg = ImageFiles.jpeg(32, 32, new byte[32 * 32 * 3], 0.9f);
        for (byte[] whole : new byte[][] {png, jpeg}) {
            byte[] cut = Arrays.copyOf(whole, whole.length * 2 / 3);
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> ImageFiles.decodeRgb(cut, "image[3]", 1 << 20));
            assertTrue(
                    e.getMessage().startsWith("image[3]: ") && e.getMessage().contains("truncated or corrupt"),
                    e.getMessage());
        }
    }

    @Test
    void otherBytesAreNamedAsNotJpegOrPng() {
        byte[] gif = "GIF89a\u0001\u0000\u0001\u0000".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        for (byte[] b : new byte[][] {gif, new byte[0], "hello".getBytes()}) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> ImageFiles.decodeRgb(b, "image[0]", 1000));
            assertTrue(e.getMessage().startsWith("image[0]: not a JPEG or PNG image"), e.getMessage());
        }
    }

    /** A PNG whose header declares 100000 x 100000 pixels is refused from the header alone. */
    @Test
    void thePixelCountIsBoundedFromTheHeader() throws Exception {
        byte[] png = ImageFiles.rgbPng(H, W, rgb());
        // IHDR is the first chunk: 8-byte signature, 4 length, 4 type, then width and height, then CRC.
        ByteBuffer b = ByteBuffer.wrap(png);
        b.putInt(16, 100_000).putInt(20, 100_000);
        CRC32 crc = new CRC32();
        crc.update(png, 12, 17);
        b.putInt(29, (int) crc.getValue());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> ImageFiles.decodeRgb(png, "image[0]", 40_000_000));
        assertTrue(
                e.getMessage().contains("100000x100000") && e.getMessage().contains("at most 40000000"),
                e.getMessage());
        // The same limit applies to honest images.
        assertThrows(
                IllegalArgumentException.class,
                () -> ImageFiles.decodeRgb(ImageFiles.rgbPng(H, W, rgb()), "image[0]", H * W - 1));
    }
}
