package org.m3vit.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes F32/I64 tensors as safetensors: keys sorted (as the format's reference writer does), offsets
 * contiguous, header padded with spaces to a multiple of 8 bytes, optional {@code __metadata__} of
 * string values. The file is written atomically.
 */
public final class SafetensorsWriter {

    private SafetensorsWriter() {}

    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        AtomicFiles.write(path, out -> write(out, tensors, metadata));
    }

    public static void write(OutputStream rawOut, Map<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        Map<String, Tensor> sorted = new TreeMap<>(tensors);
        JsonObject header = new JsonObject();
        long offset = 0;
        for (Map.Entry<String, Tensor> e : sorted.entrySet()) {
            if (e.getKey().equals("__metadata__")) {
                throw new IllegalArgumentException("'__metadata__' is reserved and cannot name a tensor");
            }
            Tensor t = e.getValue();
            long bytes = t.numel() * t.dtype().size();
            JsonObject o = new JsonObject();
            o.addProperty("dtype", t.dtype().name());
            JsonArray shape = new JsonArray();
            for (long d : t.shape()) {
                shape.add(d);
            }
            o.add("shape", shape);
            JsonArray off = new JsonArray();
            off.add(offset);
            off.add(offset + bytes);
            o.add("data_offsets", off);
            header.add(e.getKey(), o);
            offset += bytes;
        }
        if (metadata != null && !metadata.isEmpty()) {
            JsonObject m = new JsonObject();
            new TreeMap<>(metadata).forEach(m::addProperty);
            header.add("__metadata__", m);
        }
        byte[] json = header.toString().getBytes(StandardCharsets.UTF_8);
        int pad = (8 - json.length % 8) % 8;
        OutputStream out = new BufferedOutputStream(rawOut, 1 << 16);
        ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(json.length + pad);
        out.write(len.array());
        out.write(json);
        for (int i = 0; i < pad; i++) {
            out.write(' ');
        }
        ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (Tensor t : sorted.values()) {
            if (t.isFloat()) {
                for (float f : t.floats()) {
                    if (buf.remaining() < 4) {
                        drain(buf, out);
                    }
                    buf.putFloat(f);
                }
            } else {
                for (long l : t.longs()) {
                    if (buf.remaining() < 8) {
                        drain(buf, out);
                    }
                    buf.putLong(l);
                }
            }
        }
        drain(buf, out);
        out.flush();
    }

    private static void drain(ByteBuffer buf, OutputStream out) throws IOException {
        out.write(buf.array(), 0, buf.position());
        buf.clear();
    }
}
