package org.m3vit.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Test helper: writes safetensors files byte by byte, with any dtype and deliberately broken ones. */
public final class RawSafetensors {

    private final Map<String, String> entries = new LinkedHashMap<>();
    private final ByteArrayOutputStream data = new ByteArrayOutputStream();

    /** Adds a tensor with raw little-endian bytes and an honest header entry. */
    public RawSafetensors add(String name, String dtype, long[] shape, byte[] bytes) {
        long begin = data.size();
        data.writeBytes(bytes);
        return entry(
                name,
                "{\"dtype\":\"" + dtype + "\",\"shape\":" + Arrays.toString(shape) + ",\"data_offsets\":[" + begin + ","
                        + data.size() + "]}");
    }

    public RawSafetensors f32(String name, long[] shape, float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return add(name, "F32", shape, b.array());
    }

    /** bf16 by truncating float32 bits (values chosen exactly representable). */
    public RawSafetensors bf16(String name, long[] shape, float[] v) {
        ByteBuffer b = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putShort((short) (Float.floatToIntBits(f) >>> 16));
        }
        return add(name, "BF16", shape, b.array());
    }

    /** A raw header entry (for broken headers). */
    public RawSafetensors entry(String name, String json) {
        entries.put(name, json);
        return this;
    }

    public byte[] bytes() {
        StringBuilder h = new StringBuilder("{");
        entries.forEach((k, v) -> h.append(h.length() > 1 ? "," : "")
                .append('"')
                .append(k)
                .append("\":")
                .append(v));
        h.append('}');
        byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(len.array());
        out.writeBytes(header);
        out.writeBytes(data.toByteArray());
        return out.toByteArray();
    }

    public Path write(Path file) throws IOException {
        Files.write(file, bytes());
        return file;
    }
}
