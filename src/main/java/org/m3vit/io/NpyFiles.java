package org.m3vit.io;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.m3vit.errors.Limits;

/**
 * Reads and writes NumPy .npy files (format versions 1.0–3.0).
 *
 * <p>The header is parsed and validated here, before any data is interpreted: DJL's {@code NDList.decode}
 * silently misreads big-endian arrays, and every failure must name the file and the problem, so
 * big-endian and Fortran-order files are rejected with a clear message. The payload is then decoded in
 * Java into float32 (the reader needs plain arrays for the Java-side augmentation anyway; a test checks
 * that files written here decode identically through DJL).
 */
public final class NpyFiles {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private NpyFiles() {}

    /**
     * Reads a .npy file. The header is read and checked first (element count against
     * {@link Limits#MAX_TENSOR_ELEMENTS}, the data size against the file size), so a huge or lying header
     * is refused before anything of its size is allocated.
     */
    public static NpyArray read(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(file + ": is a directory, expected a .npy file");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            byte[] head = new byte[(int) Math.min(size, 12)];
            readFully(ch, ByteBuffer.wrap(head), 0);
            long preamble = preambleLength(file.toString(), head);
            // header text is small (numpy caps it at 64 KiB unless the shape is absurd)
            if (preamble > size || preamble > (1 << 20)) {
                throw bad(file.toString(), "truncated header (declares " + (preamble - 10) + " bytes)");
            }
            long data = size - preamble;
            long maxData = Math.min(Limits.MAX_TENSOR_ELEMENTS * 8, Integer.MAX_VALUE - 8L - preamble);
            if (data > maxData) {
                throw bad(
                        file.toString(),
                        "the file holds " + data + " data bytes, more than the " + Limits.MAX_TENSOR_ELEMENTS
                                + "-element limit allows (-Dm3vit.limit.tensor_elements=N raises it)");
            }
            byte[] bytes = new byte[(int) size];
            readFully(ch, ByteBuffer.wrap(bytes), 0);
            return parse(file.toString(), bytes);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": file not found");
        }
    }

    /** Bytes before the data (magic, version, length field, header) as the first 12 bytes declare. */
    private static long preambleLength(String name, byte[] head) {
        if (head.length < 10) {
            throw bad(name, "too short to be a .npy file (" + head.length + " bytes)");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (head[i] != MAGIC[i]) {
                throw bad(name, "not a .npy file (missing \\x93NUMPY magic)");
            }
        }
        ByteBuffer b = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        int major = head[6] & 0xff;
        if (major == 1) {
            return 10L + (b.getShort(8) & 0xffff);
        }
        if ((major == 2 || major == 3) && head.length >= 12) {
            return 12L + (b.getInt(8) & 0xffffffffL);
        }
        return 12; // parse() names the problem
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

    /** Parses .npy bytes; {@code name} is used in error messages. */
    public static NpyArray parse(String name, byte[] bytes) {
        if (bytes.length < 10) {
            throw bad(name, "too short to be a .npy file (" + bytes.length + " bytes)");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                throw bad(name, "not a .npy file (missing \\x93NUMPY magic)");
            }
        }
        int major = bytes[6] & 0xff;
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headerLen;
        int headerStart;
        if (major == 1) {
            headerLen = buf.getShort(8) & 0xffff;
            headerStart = 10;
        } else if (major == 2 || major == 3) {
            if (bytes.length < 12) {
                throw bad(name, "truncated header");
            }
            headerLen = buf.getInt(8);
            headerStart = 12;
        } else {
            throw bad(name, "unsupported .npy format version " + major + "." + (bytes[7] & 0xff));
        }
        if (headerLen < 0 || headerStart + headerLen > bytes.length) {
            throw bad(name, "truncated header (declares " + headerLen + " bytes)");
        }
        String header = new String(
                bytes, headerStart, headerLen, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        String descr = group(name, DESCR, header, "descr");
        String fortran = group(name, FORTRAN, header, "fortran_order");
        String shapeText = group(name, SHAPE, header, "shape");
        if (fortran.equals("True")) {
            throw bad(
                    name,
                    "Fortran-order (column-major) arrays are not supported; save it with numpy in C order "
                            + "(np.save(path, np.ascontiguousarray(a)))");
        }
        char order = descr.isEmpty() ? '?' : descr.charAt(0);
        if (order == '>') {
            throw bad(
                    name,
                    "big-endian dtype '" + descr + "' is not supported; convert it to little-endian "
                            + "(a.astype(a.dtype.newbyteorder('<')))");
        }
        if (order != '<' && order != '|' && order != '=') {
            throw bad(name, "unsupported dtype '" + descr + "'");
        }
        int[] shape = parseShape(name, shapeText);
        long[] dims = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            dims[i] = shape[i];
        }
        long count = Limits.product(dims);
        Limits.checkTensorElements(name, null, count);
        String type = descr.substring(1);
        int itemSize = itemSize(name, type, descr);
        int dataStart = headerStart + headerLen;
        long expectedBytes = count * itemSize;
        if (bytes.length - dataStart < expectedBytes) {
            throw bad(
                    name,
                    "truncated data: shape " + shapeText.trim() + " of " + descr + " needs " + expectedBytes
                            + " bytes, file has " + (bytes.length - dataStart));
        }
        if (bytes.length - dataStart > expectedBytes) {
            throw bad(
                    name,
                    "trailing data: shape " + shapeText.trim() + " of " + descr + " needs " + expectedBytes
                            + " bytes, file has " + (bytes.length - dataStart));
        }
        float[] out = new float[(int) count];
        buf.position(dataStart);
        for (int i = 0; i < out.length; i++) {
            switch (type) {
                case "f4":
                    out[i] = buf.getFloat();
                    break;
                case "f8":
                    out[i] = (float) buf.getDouble();
                    break;
                case "u1":
                    out[i] = buf.get() & 0xff;
                    break;
                case "i1":
                    out[i] = buf.get();
                    break;
                case "b1":
                    out[i] = buf.get() != 0 ? 1f : 0f;
                    break;
                case "u2":
                    out[i] = buf.getShort() & 0xffff;
                    break;
                case "i2":
                    out[i] = buf.getShort();
                    break;
                case "i4":
                    out[i] = buf.getInt();
                    break;
                case "i8":
                    out[i] = buf.getLong();
                    break;
                default:
                    throw bad(name, "unsupported dtype '" + descr + "'");
            }
        }
        return new NpyArray(shape, out);
    }

    private static int itemSize(String name, String type, String descr) {
        switch (type) {
            case "f4":
            case "i4":
                return 4;
            case "f8":
            case "i8":
                return 8;
            case "u2":
            case "i2":
                return 2;
            case "u1":
            case "i1":
            case "b1":
                return 1;
            default:
                throw bad(name, "unsupported dtype '" + descr + "' (expected float, int, uint8 or bool)");
        }
    }

    private static int[] parseShape(String name, String text) {
        String t = text.trim();
        if (t.isEmpty()) {
            return new int[0];
        }
        // A Python tuple: "3", "3,", "2, 3" or "2, 3,"; an empty element ("(1,, 3)", "(,)") is malformed.
        if (t.endsWith(",")) {
            t = t.substring(0, t.length() - 1);
        }
        String[] parts = t.split(",", -1);
        int n = 0;
        int[] dims = new int[parts.length];
        for (String p : parts) {
            String s = p.trim();
            if (s.isEmpty()) {
                throw bad(name, "malformed shape '(" + text + ")'");
            }
            try {
                dims[n] = Integer.parseInt(s.endsWith("L") ? s.substring(0, s.length() - 1) : s);
            } catch (NumberFormatException e) {
                throw bad(
                        name,
                        s.matches("\\d+L?")
                                ? "dimension " + s + " in shape '(" + text + ")' is too large"
                                : "malformed shape '(" + text + ")'");
            }
            if (dims[n] < 0) {
                throw bad(name, "negative dimension in shape '(" + text + ")'");
            }
            n++;
        }
        return Arrays.copyOf(dims, n);
    }

    private static String group(String name, Pattern p, String header, String key) {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw bad(name, "malformed header, no '" + key + "' entry: " + header.trim());
        }
        return m.group(1);
    }

    private static IllegalArgumentException bad(String name, String what) {
        return new IllegalArgumentException(name + ": " + what);
    }

    /** Writes a little-endian float32, C-order .npy file (format 1.0). */
    public static void writeFloat32(Path file, int[] shape, float[] data) throws IOException {
        AtomicFiles.write(file, encodeFloat32(shape, data));
    }

    /** The bytes of a little-endian float32 C-order .npy v1.0 file. */
    public static byte[] encodeFloat32(int[] shape, float[] data) {
        long count = 1;
        StringBuilder dims = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            count *= shape[i];
            dims.append(i > 0 ? ", " : "").append(shape[i]);
        }
        if (shape.length == 1) {
            dims.append(',');
        }
        if (count != data.length) {
            throw new IllegalArgumentException("npy shape needs " + count + " values, got " + data.length);
        }
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
        // The whole preamble (magic, version, length, dict, padding, newline) is a multiple of 64 bytes.
        int unpadded = 10 + dict.length() + 1;
        int padded = (unpadded + 63) / 64 * 64;
        StringBuilder header = new StringBuilder(dict);
        for (int i = unpadded; i < padded; i++) {
            header.append(' ');
        }
        header.append('\n');
        byte[] h = header.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer out = ByteBuffer.allocate(10 + h.length + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) h.length).put(h);
        for (float v : data) {
            out.putFloat(v);
        }
        return out.array();
    }
}
