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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes F32/I64 tensors as safetensors: keys sorted (as the format's reference writer does), offsets
 * contiguous, header padded with spaces to a multiple of 8 bytes, optional {@code __metadata__} of
 * string values. The file is written atomically.
 *
 * <p>{@link #writeAligned} keeps the caller's order instead and starts every tensor at a multiple of an
 * alignment; the gaps are filled by zero F32 tensors named {@value #PADDING_PREFIX}{@code n}, so the
 * offsets stay contiguous as strict readers (PyTorch's safetensors) require.
 */
public final class SafetensorsWriter {

    /** Name prefix of the padding entries {@link #writeAligned} inserts. */
    public static final String PADDING_PREFIX = "__padding__.";

    private SafetensorsWriter() {}

    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        AtomicFiles.write(path, out -> write(out, new TreeMap<>(tensors), metadata, 8));
    }

    public static void write(OutputStream rawOut, Map<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        write(rawOut, new TreeMap<>(tensors), metadata, 8);
    }

    /**
     * Writes {@code tensors} in their iteration order, each starting at a file offset that is a multiple
     * of {@code alignment} bytes (a power of two, at least 8), atomically.
     */
    public static void writeAligned(Path path, Map<String, Tensor> tensors, Map<String, String> metadata, int alignment)
            throws IOException {
        if (alignment < 8 || Integer.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("alignment must be a power of two >= 8, got " + alignment);
        }
        Map<String, Tensor> padded = new LinkedHashMap<>();
        long offset = 0;
        int pads = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey().startsWith(PADDING_PREFIX)) {
                throw new IllegalArgumentException(
                        "'" + e.getKey() + "': the prefix " + PADDING_PREFIX + " is reserved for padding");
            }
            long gap = (alignment - offset % alignment) % alignment;
            if (gap > 0) {
                // every tensor is F32 or I64, so offsets are multiples of 4 and so are the gaps
                int n = Math.toIntExact(gap / 4);
                padded.put(PADDING_PREFIX + pads++, Tensor.of(new long[] {n}, new float[n]));
                offset += gap;
            }
            padded.put(e.getKey(), e.getValue());
            offset += e.getValue().numel() * e.getValue().dtype().size();
        }
        AtomicFiles.write(path, out -> write(out, padded, metadata, alignment));
    }

    /** Writes the tensors in iteration order; the header is padded so the data starts at a multiple of headerAlign. */
    private static void write(
            OutputStream rawOut, Map<String, Tensor> sorted, Map<String, String> metadata, int headerAlign)
            throws IOException {
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
        // the data section starts at 8 + header length: pad the header so that is a multiple of headerAlign
        int pad = (int) ((headerAlign - (8 + json.length) % headerAlign) % headerAlign);
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
