package org.m3vit.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.m3vit.errors.Limits;

/**
 * A safetensors file read entirely in Java: 8-byte little-endian header length, a JSON header
 * ({@code name → {dtype, shape, data_offsets}}, optional {@code __metadata__}), then the raw data.
 * The header is validated completely when the file is opened (sizes, offsets, overlaps, truncation), so
 * a bad file fails with a message naming the tensor before any data is used. Float data of any
 * supported width (F64, F32, F16, BF16) is converted to float32 here, so 16-bit bytes never reach the
 * engine (BF16 would abort the JVM there).
 */
public final class SafetensorsFile implements Closeable, TensorReader {

    /** Headers larger than this are rejected as corrupt rather than allocated. */
    private static final long MAX_HEADER = 100L << 20;

    private final Path path;
    private final FileChannel channel;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(
            Path path,
            FileChannel channel,
            long dataStart,
            Map<String, TensorInfo> tensors,
            Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    public static SafetensorsFile open(Path path) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("weights file " + path + " does not exist or is not a file");
        }
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        try {
            return parse(path, ch);
        } catch (RuntimeException | IOException e) {
            ch.close();
            throw e;
        }
    }

    private static SafetensorsFile parse(Path path, FileChannel ch) throws IOException {
        String file = "safetensors file " + path;
        long size = ch.size();
        if (size < 8) {
            throw new IllegalArgumentException(
                    file + " is truncated: " + size + " bytes, shorter than the 8-byte header length");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lenBuf, 0);
        long headerLen = lenBuf.flip().getLong();
        if (headerLen <= 0 || headerLen > MAX_HEADER) {
            throw new IllegalArgumentException(
                    file + " has a bad header: header length " + headerLen + " (not a safetensors file?)");
        }
        if (8 + headerLen > size) {
            throw new IllegalArgumentException(file + " is truncated: the header needs " + headerLen
                    + " bytes but the file has only " + (size - 8) + " after the length field");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
        readFully(ch, hb, 8);
        // Strict: the header is UTF-8 JSON (RFC 8259) as the reference implementation requires; no single
        // quotes, comments, NaN or trailing text (trailing spaces are the format's padding).
        String json;
        try {
            json = TextFiles.decode(file, hb.array());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + " has a bad header: it is not UTF-8 text");
        }
        JsonObject header;
        JsonElement parsed;
        try {
            parsed = TextFiles.json(file + " header", json);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    file + " has a bad header: " + e.getMessage().substring(file.length() + 9));
        }
        if (!parsed.isJsonObject()) {
            throw new IllegalArgumentException(file + " has a bad header: expected a JSON object");
        }
        header = parsed.getAsJsonObject();
        long dataLen = size - 8 - headerLen;
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        List<String> unsupported = new ArrayList<>();
        for (Map.Entry<String, JsonElement> en : header.entrySet()) {
            String name = en.getKey();
            if (name.equals("__metadata__")) {
                if (!en.getValue().isJsonObject()) {
                    throw new IllegalArgumentException(file + " has a bad header: __metadata__ is not an object");
                }
                for (Map.Entry<String, JsonElement> m :
                        en.getValue().getAsJsonObject().entrySet()) {
                    JsonElement v = m.getValue();
                    metadata.put(m.getKey(), v.isJsonPrimitive() ? v.getAsString() : v.toString());
                }
                continue;
            }
            TensorInfo info = entry(file, name, en.getValue(), dataLen);
            if (!info.dtype().supported()) {
                unsupported.add(name + " " + info.dtype() + " " + info.shapeString());
            }
            tensors.put(name, info);
        }
        if (!unsupported.isEmpty()) {
            throw new IllegalArgumentException(file + ": unsupported dtype for " + unsupported.size() + " tensor(s): "
                    + String.join(", ", unsupported) + "; supported: F32, F16, BF16, F64 (floats) and I64, I32");
        }
        checkOverlaps(file, tensors);
        checkCovered(file, tensors, dataLen);
        return new SafetensorsFile(
                path, ch, 8 + headerLen, Collections.unmodifiableMap(tensors), Collections.unmodifiableMap(metadata));
    }

    private static TensorInfo entry(String file, String name, JsonElement v, long dataLen) {
        String where = file + " has a bad header entry for tensor '" + name + "': ";
        if (!v.isJsonObject()) {
            throw new IllegalArgumentException(where + "not an object");
        }
        JsonObject o = v.getAsJsonObject();
        JsonElement dt = o.get("dtype");
        if (dt == null || !dt.isJsonPrimitive() || !dt.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException(where + "missing or non-string dtype");
        }
        DType dtype = DType.find(dt.getAsString());
        if (dtype == null) {
            throw new IllegalArgumentException(file + ": unsupported dtype '" + dt.getAsString() + "' for tensor '"
                    + name + "'; supported: F32, F16, BF16, F64 (floats) and I64, I32");
        }
        long[] shape = longs(where, o.get("shape"), "shape", -1);
        long[] offsets = longs(where, o.get("data_offsets"), "data_offsets", 2);
        long numel = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(
                        where + "negative dimension in shape " + TensorInfo.shapeString(shape));
            }
        }
        numel = Limits.product(shape);
        Limits.checkTensorElements(file.substring("safetensors file ".length()), name, numel);
        TensorInfo info = new TensorInfo(name, dtype, shape, offsets[0], offsets[1]);
        if (offsets[0] < 0 || offsets[1] < offsets[0]) {
            throw new IllegalArgumentException(where + "bad data_offsets [" + offsets[0] + ", " + offsets[1] + "]");
        }
        long want = numel * dtype.size(); // numel is within the element limit, so this cannot overflow
        if (offsets[1] - offsets[0] != want) {
            throw new IllegalArgumentException(where + "data_offsets [" + offsets[0] + ", " + offsets[1] + "] hold "
                    + (offsets[1] - offsets[0]) + " bytes but " + dtype + " " + info.shapeString() + " needs " + want);
        }
        if (offsets[1] > dataLen) {
            throw new IllegalArgumentException(file + " is truncated: tensor '" + name + "' " + info.shapeString()
                    + " needs data bytes [" + offsets[0] + ", " + offsets[1] + ") but the data section has only "
                    + dataLen + " bytes");
        }
        return info;
    }

    private static long[] longs(String where, JsonElement e, String field, int length) {
        if (e == null || !e.isJsonArray()) {
            throw new IllegalArgumentException(where + "missing or non-array " + field);
        }
        JsonArray a = e.getAsJsonArray();
        if (length >= 0 && a.size() != length) {
            throw new IllegalArgumentException(where + field + " must have " + length + " entries, got " + clip(a));
        }
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonElement x = a.get(i);
            if (!x.isJsonPrimitive() || !((JsonPrimitive) x).isNumber()) {
                throw new IllegalArgumentException(where + field + " must hold integers, got " + clip(a));
            }
            BigDecimal d;
            try {
                d = x.getAsBigDecimal();
            } catch (NumberFormatException bad) {
                throw new IllegalArgumentException(where + field + " must hold integers, got " + clip(a));
            }
            if (d.signum() != 0 && d.stripTrailingZeros().scale() > 0) {
                throw new IllegalArgumentException(where + field + " must hold integers, got " + clip(a));
            }
            // Exact: 2^64 + 32 is not 32 (a long cast would wrap it).
            if (d.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0
                    || d.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) < 0) {
                throw new IllegalArgumentException(
                        where + field + " entry " + clip(d.toPlainString()) + " is too large");
            }
            out[i] = d.longValueExact();
        }
        return out;
    }

    /**
     * The data section must be exactly the tensors' bytes, without holes or trailing bytes, as the format
     * specifies (and the reference reader enforces): anything else is a truncated, padded or spliced file.
     */
    private static void checkCovered(String file, Map<String, TensorInfo> tensors, long dataLen) {
        List<TensorInfo> sorted = new ArrayList<>(tensors.values());
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long at = 0;
        for (TensorInfo t : sorted) {
            if (t.begin() > at) {
                throw new IllegalArgumentException(file + " has a bad header: data bytes [" + at + ", " + t.begin()
                        + ") belong to no tensor (before '" + t.name() + "')");
            }
            at = Math.max(at, t.end());
        }
        if (at != dataLen) {
            throw new IllegalArgumentException(file + " has " + (dataLen - at) + " trailing bytes after the last"
                    + " tensor's data (the data section is " + dataLen + " bytes, the tensors cover " + at + ")");
        }
    }

    private static String clip(Object o) {
        String s = String.valueOf(o);
        return s.length() > 60 ? s.substring(0, 60) + "…" : s;
    }

    private static void checkOverlaps(String file, Map<String, TensorInfo> tensors) {
        List<TensorInfo> sorted = new ArrayList<>(tensors.values());
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo a = sorted.get(i - 1);
            TensorInfo b = sorted.get(i);
            if (b.begin() < a.end() && b.end() > b.begin()) {
                throw new IllegalArgumentException(file + " has a bad header: the data of tensors '" + a.name()
                        + "' and '" + b.name() + "' overlap");
            }
        }
    }

    @Override
    public Path path() {
        return path;
    }

    /** Header entries by name, in header order. */
    @Override
    public Map<String, TensorInfo> tensors() {
        return tensors;
    }

    @Override
    public Map<String, String> metadata() {
        return metadata;
    }

    /** Byte offset in the file where the data section starts (tensor offsets are relative to it). */
    public long dataStart() {
        return dataStart;
    }

    /**
     * Reads {@code count} elements of float tensor {@code name}, from element {@code first} on (C order),
     * into {@code dst} as float32 little-endian, advancing its position: one positioned read of just those
     * bytes, so a slice of a stacked tensor is read without touching the rest. F16/BF16/F64 are converted.
     */
    public void readFloats(String name, long first, int count, ByteBuffer dst) throws IOException {
        TensorInfo info = info(name);
        if (!info.dtype().floating()) {
            throw new IllegalArgumentException("tensor '" + name + "' in " + path + " is " + info.dtype()
                    + ", expected a float dtype (F32, F16, BF16, F64)");
        }
        if (first < 0 || count < 0 || first + count > info.numel()) {
            throw new IllegalArgumentException("elements [" + first + ", " + (first + count) + ") of tensor '" + name
                    + "' " + info.shapeString() + " in " + path + " are out of range");
        }
        if (dst.remaining() < 4L * count) {
            throw new IllegalArgumentException("buffer too small for " + count + " floats of tensor '" + name + "'");
        }
        int size = info.dtype().size();
        long pos = dataStart + info.begin() + first * size;
        if (info.dtype() == DType.F32) {
            ByteBuffer part = dst.slice(dst.position(), 4 * count);
            readFully(channel, part, pos);
            dst.position(dst.position() + 4 * count);
            return;
        }
        ByteBuffer raw = ByteBuffer.allocate(size * count).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, raw, pos);
        raw.flip();
        ByteBuffer out = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            out.putFloat(
                    switch (info.dtype()) {
                        case F64 -> (float) raw.getDouble();
                        case BF16 -> HalfFloats.bf16ToFloat(raw.getShort());
                        case F16 -> HalfFloats.f16ToFloat(raw.getShort());
                        default -> throw new IllegalStateException(info.dtype().toString());
                    });
        }
        dst.position(out.position());
    }

    @Override
    public void readFloats(String name, ByteBuffer dst) throws IOException {
        readFloats(name, 0, Math.toIntExact(info(name).numel()), dst);
    }

    /** Reads the file's bytes [position, position + dst.remaining()) into {@code dst}: one positioned read. */
    public void readBytes(long position, ByteBuffer dst) throws IOException {
        readFully(channel, dst, position);
    }

    /** The file's size now (a file that shrank since it was opened is truncated). */
    public long size() throws IOException {
        return channel.size();
    }

    /** A float tensor's data converted to float32 (F64/F32/F16/BF16 accepted). */
    @Override
    public float[] floats(String name) throws IOException {
        TensorInfo info = info(name);
        if (!info.dtype().floating()) {
            throw new IllegalArgumentException("tensor '" + name + "' in " + path + " is " + info.dtype()
                    + ", expected a float dtype (F32, F16, BF16, F64)");
        }
        ByteBuffer b = bytes(info);
        int n = (int) info.numel();
        float[] out = new float[n];
        switch (info.dtype()) {
            case F32:
                b.asFloatBuffer().get(out);
                break;
            case F64:
                for (int i = 0; i < n; i++) {
                    out[i] = (float) b.getDouble();
                }
                break;
            case BF16:
                for (int i = 0; i < n; i++) {
                    out[i] = HalfFloats.bf16ToFloat(b.getShort());
                }
                break;
            case F16:
                for (int i = 0; i < n; i++) {
                    out[i] = HalfFloats.f16ToFloat(b.getShort());
                }
                break;
            default:
                throw new IllegalStateException(info.dtype().toString());
        }
        return out;
    }

    /** An integer tensor's data as int64 (I64/I32 accepted). */
    @Override
    public long[] longs(String name) throws IOException {
        TensorInfo info = info(name);
        if (info.dtype() != DType.I64 && info.dtype() != DType.I32) {
            throw new IllegalArgumentException("tensor '" + name + "' in " + path + " is " + info.dtype()
                    + ", expected an integer dtype (I64 or I32)");
        }
        ByteBuffer b = bytes(info);
        int n = (int) info.numel();
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = info.dtype() == DType.I64 ? b.getLong() : b.getInt();
        }
        return out;
    }

    /** The tensor as float32 or int64 host data, by its dtype. */
    public Tensor read(String name) throws IOException {
        TensorInfo info = info(name);
        return info.dtype().floating()
                ? Tensor.of(info.shape(), floats(name))
                : Tensor.ofLongs(info.shape(), longs(name));
    }

    private ByteBuffer bytes(TensorInfo info) throws IOException {
        ByteBuffer b = ByteBuffer.allocate((int) (info.end() - info.begin())).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, b, dataStart + info.begin());
        return b.flip();
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        long p = pos;
        while (b.hasRemaining()) {
            int n = ch.read(b, p);
            if (n < 0) {
                throw new EOFException("unexpected end of file at byte " + p);
            }
            p += n;
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
