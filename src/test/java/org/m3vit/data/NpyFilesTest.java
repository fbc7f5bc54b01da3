package org.m3vit.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.io.NpyArray;
import org.m3vit.io.NpyFiles;

class NpyFilesTest {

    @TempDir
    Path dir;

    /** Hand-built .npy bytes with an arbitrary header dict and payload. */
    static byte[] npy(String dict, byte[] payload) {
        String header = dict;
        int total = 10 + header.length() + 1;
        StringBuilder h = new StringBuilder(header);
        while ((total % 64) != 0) {
            h.append(' ');
            total++;
        }
        h.append('\n');
        byte[] hb = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(10 + hb.length + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0})
                .putShort((short) hb.length)
                .put(hb)
                .put(payload);
        return b.array();
    }

    static byte[] floats(ByteOrder order, float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(order);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    @Test
    void writtenFileHasAlignedV1HeaderAndRoundTrips() throws Exception {
        Path f = dir.resolve("a.npy");
        float[] data = {1.5f, -2f, 0f, 3.25f, 7f, 8f};
        NpyFiles.writeFloat32(f, new int[] {2, 3}, data);
        byte[] bytes = Files.readAllBytes(f);
        int headerLen = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
        assertEquals(0, (10 + headerLen) % 64, "preamble must be 64-byte aligned");
        assertEquals('\n', bytes[10 + headerLen - 1]);
        assertEquals(10 + headerLen + 24, bytes.length);
        String header = new String(bytes, 10, headerLen, StandardCharsets.ISO_8859_1);
        assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"), header);
        NpyArray a = NpyFiles.read(f);
        assertArrayEquals(new int[] {2, 3}, a.shape());
        assertArrayEquals(data, a.data());
    }

    @Test
    void djlDecodesOurFilesToTheSameValues() throws Exception {
        float[] data = {0.1f, 0.2f, 0.3f, 0.4f, 5f, 6f, 7f, 8f, 9f, 10f, 11f, 12f};
        byte[] bytes = NpyFiles.encodeFloat32(new int[] {2, 2, 3}, data);
        try (NDManager m = NDManager.newBaseManager()) {
            NDList list = NDList.decode(m, new ByteArrayInputStream(bytes));
            NDArray a = list.get(0);
            assertEquals(new Shape(2, 2, 3), a.getShape());
            assertArrayEquals(data, a.toFloatArray());
        }
    }

    @Test
    void readsOtherDtypes() {
        byte[] payload = {1, 2, (byte) 255};
        NpyArray a =
                NpyFiles.parse("u8.npy", npy("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }", payload));
        assertArrayEquals(new float[] {1, 2, 255}, a.data());
        ByteBuffer d = ByteBuffer.allocate(16)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putDouble(2.5)
                .putDouble(-1);
        NpyArray b =
                NpyFiles.parse("f8.npy", npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }", d.array()));
        assertArrayEquals(new float[] {2.5f, -1f}, b.data());
        assertArrayEquals(new int[] {1, 2}, b.shape());
    }

    @Test
    void rejectsBigEndianNamingTheFile() {
        byte[] bytes =
                npy("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", floats(ByteOrder.BIG_ENDIAN, 1f, 2f));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> NpyFiles.parse("depth/7.npy", bytes));
        assertTrue(e.getMessage().startsWith("depth/7.npy: "), e.getMessage());
        assertTrue(e.getMessage().contains("big-endian"), e.getMessage());
    }

    @Test
    void rejectsFortranOrder() {
        byte[] bytes = npy(
                "{'descr': '<f4', 'fortran_order': True, 'shape': (1, 2), }", floats(ByteOrder.LITTLE_ENDIAN, 1f, 2f));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NpyFiles.parse("n.npy", bytes));
        assertTrue(e.getMessage().contains("n.npy") && e.getMessage().contains("Fortran"), e.getMessage());
    }

    @Test
    void rejectsTruncatedDataBadMagicAndMissingFile() {
        byte[] shortData = npy(
                "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", floats(ByteOrder.LITTLE_ENDIAN, 1f, 2f));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> NpyFiles.parse("t.npy", shortData));
        assertTrue(e.getMessage().contains("t.npy") && e.getMessage().contains("truncated"), e.getMessage());
        IllegalArgumentException m = assertThrows(
                IllegalArgumentException.class,
                () -> NpyFiles.parse("x.npy", "this is not numpy data".getBytes(StandardCharsets.US_ASCII)));
        assertTrue(m.getMessage().contains("x.npy") && m.getMessage().contains("magic"), m.getMessage());
        Path missing = dir.resolve("nope.npy");
        IllegalArgumentException n = assertThrows(IllegalArgumentException.class, () -> NpyFiles.read(missing));
        assertTrue(n.getMessage().contains(missing.toString()) && n.getMessage().contains("not found"), n.getMessage());
    }
}
