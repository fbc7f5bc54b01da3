package org.m3vit.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Java safetensors reader/writer: format details, 16-bit conversion, and every malformed-file case. */
class SafetensorsTest {

    @TempDir
    Path dir;

    @Test
    void writerProducesSortedAlignedHeaderAndExactRoundTrip() throws Exception {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("z.weight", Tensor.of(new long[] {2, 3}, new float[] {1f, -2.5f, 3e-8f, Float.MAX_VALUE, -0f, 7f}));
        t.put("a.num_batches_tracked", Tensor.ofLongs(new long[0], new long[] {123}));
        t.put("m.bias", Tensor.of(new long[] {1}, new float[] {0.1f}));
        Path f = dir.resolve("x.safetensors");
        SafetensorsWriter.write(f, t, Map.of("format", "pt"));
        byte[] raw = Files.readAllBytes(f);
        long n = ByteBuffer.wrap(raw, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + n) % 8, "data starts 8-byte aligned");
        String header = new String(raw, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(
                header.indexOf("a.num_batches_tracked") < header.indexOf("m.bias")
                        && header.indexOf("m.bias") < header.indexOf("z.weight"),
                header);
        assertTrue(header.contains("\"dtype\":\"I64\",\"shape\":[]"), header);
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            assertEquals("pt", st.metadata().get("format"));
            assertArrayEquals(t.get("z.weight").floats(), st.floats("z.weight"));
            assertArrayEquals(new long[] {2, 3}, st.info("z.weight").shape());
            assertArrayEquals(new long[] {123}, st.longs("a.num_batches_tracked"));
            assertEquals(0, st.info("a.num_batches_tracked").shape().length);
        }
    }

    @Test
    void halfPrecisionIsConvertedInJava() throws Exception {
        // Hand-checked bit patterns: bf16 0x3F80 = 1, 0xC040 = -3, 0x3E20 = 0.15625;
        // f16 0x3C00 = 1, 0xC000 = -2, 0x7BFF = 65504, 0x0001 = 2^-24, 0x3555 = 0.333251953125, 0x7C00 = +inf.
        assertEquals(1f, HalfFloats.bf16ToFloat((short) 0x3F80));
        assertEquals(-3f, HalfFloats.bf16ToFloat((short) 0xC040));
        assertEquals(0.15625f, HalfFloats.bf16ToFloat((short) 0x3E20));
        assertEquals(1f, HalfFloats.f16ToFloat((short) 0x3C00));
        assertEquals(-2f, HalfFloats.f16ToFloat((short) 0xC000));
        assertEquals(65504f, HalfFloats.f16ToFloat((short) 0x7BFF));
        assertEquals(0x1p-24f, HalfFloats.f16ToFloat((short) 0x0001));
        assertEquals(0.333251953125f, HalfFloats.f16ToFloat((short) 0x3555));
        assertEquals(Float.POSITIVE_INFINITY, HalfFloats.f16ToFloat((short) 0x7C00));
        assertTrue(Float.isNaN(HalfFloats.f16ToFloat((short) 0x7E00)));

        Path f = new RawSafetensors()
                .add("h", "F16", new long[] {3}, new byte[] {0x00, 0x3C, 0x00, (byte) 0xC0, (byte) 0xFF, 0x7B})
                .bf16("b", new long[] {2}, new float[] {1f, -3f})
                .add(
                        "d",
                        "F64",
                        new long[] {1},
                        ByteBuffer.allocate(8)
                                .order(ByteOrder.LITTLE_ENDIAN)
                                .putDouble(0.5)
                                .array())
                .write(dir.resolve("half.safetensors"));
        try (SafetensorsFile st = SafetensorsFile.open(f)) {
            assertArrayEquals(new float[] {1f, -2f, 65504f}, st.floats("h"));
            assertArrayEquals(new float[] {1f, -3f}, st.floats("b"));
            assertArrayEquals(new float[] {0.5f}, st.floats("d"));
        }
    }

    @Test
    void malformedFilesGiveErrorsNamingTheProblem() throws Exception {
        byte[] good = new RawSafetensors()
                .f32("w", new long[] {2, 2}, new float[] {1, 2, 3, 4})
                .bytes();
        expect(Arrays.copyOf(good, 5), "truncated");
        expect(Arrays.copyOf(good, good.length - 3), "truncated", "'w'", "(2, 2)");
        byte[] hugeLen = good.clone();
        ByteBuffer.wrap(hugeLen).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40);
        expect(hugeLen, "bad header", "header length");
        byte[] pastEnd = good.clone();
        ByteBuffer.wrap(pastEnd).order(ByteOrder.LITTLE_ENDIAN).putLong(0, good.length);
        expect(pastEnd, "truncated", "header");
        byte[] notJson = good.clone();
        notJson[8] = 'x';
        expect(notJson, "bad header");
        expect(
                new RawSafetensors()
                        .entry("w", "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}")
                        .bytes(),
                "'w'",
                "data_offsets");
        expect(
                new RawSafetensors()
                        .entry("w", "{\"shape\":[1],\"data_offsets\":[0,4]}")
                        .bytes(),
                "'w'",
                "dtype");
        expect(new RawSafetensors().add("w", "F32", new long[] {3}, new byte[8]).bytes(), "'w'", "needs 12");
        expect(
                new RawSafetensors()
                        .add("w", "U8", new long[] {2}, new byte[2])
                        .add("q", "I16", new long[] {1}, new byte[2])
                        .bytes(),
                "unsupported dtype",
                "w U8 (2)",
                "q I16 (1)");
        expect(
                new RawSafetensors()
                        .add("w", "F4_WEIRD", new long[] {1}, new byte[1])
                        .bytes(),
                "unsupported dtype 'F4_WEIRD'",
                "'w'");
        expect(
                new RawSafetensors()
                        .f32("c", new long[] {3}, new float[3])
                        .entry("a", "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}")
                        .entry("b", "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}")
                        .bytes(),
                "overlap");
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> SafetensorsFile.open(dir.resolve("absent.safetensors")));
        assertTrue(e.getMessage().contains("does not exist"));
    }

    private void expect(byte[] content, String... fragments) throws Exception {
        Path f = Files.write(dir.resolve("bad.safetensors"), content);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
            try (SafetensorsFile st = SafetensorsFile.open(f)) {
                for (String name : st.tensors().keySet()) {
                    st.read(name);
                }
            }
        });
        for (String s : fragments) {
            assertTrue(e.getMessage().contains(s), "message lacks '" + s + "': " + e.getMessage());
        }
    }
}
