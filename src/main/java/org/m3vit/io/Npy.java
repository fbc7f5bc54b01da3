package org.m3vit.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Minimal .npy (format 1.0–3.0) reading and writing of float arrays in C order, done in Java so that
 * byte order is honoured ({@code >f4} is converted, not misread) and bad files give clear errors.
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    /** Reads a float32 or float64 array (either byte order) as float32. */
    public static Tensor readFloats(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("input file " + file + " does not exist or is not a file");
        }
        String where = ".npy file " + file;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] pre = in.readNBytes(8);
            if (pre.length < 8) {
                throw new IllegalArgumentException(where + " is truncated (" + pre.length + " bytes)");
            }
            for (int i = 0; i < MAGIC.length; i++) {
                if (pre[i] != MAGIC[i]) {
                    throw new IllegalArgumentException(where + " is not a .npy file (bad magic)");
                }
            }
            int major = pre[6];
            int headerLen;
            if (major == 1) {
                byte[] l = in.readNBytes(2);
                headerLen = (l[0] & 0xff) | (l[1] & 0xff) << 8;
            } else if (major == 2 || major == 3) {
                byte[] l = in.readNBytes(4);
                headerLen = ByteBuffer.wrap(l).order(ByteOrder.LITTLE_ENDIAN).getInt();
            } else {
                throw new IllegalArgumentException(where + ": unsupported .npy version " + major);
            }
            if (headerLen < 0 || headerLen > (1 << 20)) {
                throw new IllegalArgumentException(where + ": bad header length " + headerLen);
            }
            String header = new String(in.readNBytes(headerLen), StandardCharsets.ISO_8859_1);
            Matcher d = DESCR.matcher(header);
            Matcher f = FORTRAN.matcher(header);
            Matcher s = SHAPE.matcher(header);
            if (!d.find() || !f.find() || !s.find()) {
                throw new IllegalArgumentException(where + ": unreadable header " + header.trim());
            }
            if (f.group(1).equals("True")) {
                throw new IllegalArgumentException(where + " is in Fortran order; save it in C order");
            }
            String descr = d.group(1);
            ByteOrder order = descr.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
            String kind = descr.replaceAll("^[<>=|]", "");
            int size;
            if (kind.equals("f4")) {
                size = 4;
            } else if (kind.equals("f8")) {
                size = 8;
            } else {
                throw new IllegalArgumentException(where + " has dtype '" + descr + "'; expected float32 ('<f4')");
            }
            List<Long> dims = new ArrayList<>();
            for (String p : s.group(1).split(",")) {
                if (!p.trim().isEmpty()) {
                    dims.add(Long.parseLong(p.trim()));
                }
            }
            long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
            long numel = 1;
            for (long x : shape) {
                numel *= x;
            }
            if (numel * size > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(where + " is too large (" + numel + " elements)");
            }
            byte[] data = in.readNBytes((int) (numel * size));
            if (data.length != numel * size) {
                throw new IllegalArgumentException(where + " is truncated: shape " + TensorInfo.shapeString(shape)
                        + " needs " + numel * size + " data bytes, found " + data.length);
            }
            ByteBuffer b = ByteBuffer.wrap(data).order(order);
            float[] out = new float[(int) numel];
            for (int i = 0; i < out.length; i++) {
                out[i] = size == 4 ? b.getFloat() : (float) b.getDouble();
            }
            return Tensor.of(shape, out);
        }
    }

    /** Writes a float32 array ({@code <f4}, C order, format 1.0) atomically. */
    public static void writeFloats(Path file, long[] shape, float[] data) throws IOException {
        Tensor.of(shape, data); // validates the element count
        AtomicFiles.write(file, out -> write(out, shape, data));
    }

    private static void write(OutputStream out, long[] shape, float[] data) throws IOException {
        StringBuilder dims = new StringBuilder();
        for (long d : shape) {
            dims.append(d).append(", ");
        }
        String shapeStr = shape.length == 1 ? "(" + shape[0] + ",)"
                : "(" + (shape.length == 0 ? "" : dims.substring(0, dims.length() - 2)) + ")";
        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shapeStr + ", }";
        int total = MAGIC.length + 4 + header.length() + 1;
        int pad = (64 - total % 64) % 64;
        header = header + " ".repeat(pad) + "\n";
        out.write(MAGIC);
        out.write(1);
        out.write(0);
        out.write(header.length() & 0xff);
        out.write((header.length() >> 8) & 0xff);
        out.write(header.getBytes(StandardCharsets.ISO_8859_1));
        ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : data) {
            if (b.remaining() < 4) {
                out.write(b.array(), 0, b.position());
                b.clear();
            }
            b.putFloat(f);
        }
        out.write(b.array(), 0, b.position());
    }
}
