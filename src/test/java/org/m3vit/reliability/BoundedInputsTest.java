package org.m3vit.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.cli.CliRun;
import org.m3vit.config.YamlValues;
import org.m3vit.eval.MetricsJson;
import org.m3vit.io.ImageFiles;
import org.m3vit.io.NpyFiles;
import org.m3vit.io.SafetensorsFile;
import org.m3vit.io.SafetensorsWriter;
import org.m3vit.io.Tensor;

/**
 * Issue 16, unbounded resources and silent wrong results: every oversized or impossible input is refused
 * before allocation with a message naming it and the size it asked for; nothing non-finite passes through.
 */
class BoundedInputsTest {

    static final String CONFIG = "configs/synth/vit_moe/tiny_pascal.yml";

    @TempDir
    Path tmp;

    private static IllegalArgumentException bad(org.junit.jupiter.api.function.Executable e, String... parts) {
        IllegalArgumentException x = assertThrows(IllegalArgumentException.class, e);
        for (String p : parts) {
            assertTrue(x.getMessage().contains(p), "'" + p + "' in: " + x.getMessage());
        }
        assertTrue(x.getMessage().length() < 600, x.getMessage());
        return x;
    }

    private static void badCli(CliRun r, String... parts) {
        assertEquals(2, r.exit, r.err);
        assertEquals(1, r.err.strip().lines().count(), r.err);
        for (String p : parts) {
            assertTrue(r.err.contains(p), "'" + p + "' in: " + r.err);
        }
    }

    @Test
    void yamlRecursionAliasesDuplicatesAndEchoesAreBounded() {
        bad(() -> YamlValues.parse("a: &x [*x]\n", "r.yml"), "r.yml", "recursive alias");
        bad(() -> YamlValues.parse("a: &x {b: *x}\n", "r.yml"), "recursive alias");
        StringBuilder laughs = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 12; i++) {
            laughs.append("a").append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 9; j++) {
                laughs.append(j > 0 ? ", " : "").append("*a").append(i - 1);
            }
            laughs.append("]\n");
        }
        bad(() -> YamlValues.parse(laughs.toString(), "laughs.yml"), "laughs.yml", "not valid YAML");
        bad(() -> YamlValues.parse("a: " + "[".repeat(200) + "]".repeat(200), "deep.yml"), "deep.yml");
        bad(() -> YamlValues.parse("a: 1\nb: 2\na: 3\n", "dup.yml"), "dup.yml", "duplicate key a");
        String huge = "x".repeat(1 << 20);
        IllegalArgumentException e = bad(
                () -> YamlValues.integer(YamlValues.parse("k: " + huge, "h.yml"), "", "k", 0),
                "k: expected an integer");
        assertTrue(e.getMessage().length() < 300, "a 1 MB value is not echoed back");
    }

    @Test
    void npyHeadersAreCheckedBeforeAllocating() throws IOException {
        bad(() -> NpyFiles.parse("o.npy", npy("(2147483647, 2147483647, 8)", 0)), "o.npy", "element count", "limit");
        bad(() -> NpyFiles.parse("o.npy", npy("(99999999999,)", 0)), "o.npy", "too large");
        bad(() -> NpyFiles.parse("m.npy", npy("(1,, 3)", 12)), "m.npy", "malformed shape");
        bad(() -> NpyFiles.parse("t.npy", npy("(1, 3)", 16)), "t.npy", "trailing data");
        assertEquals(3, NpyFiles.parse("ok.npy", npy("(1, 3)", 12)).data().length);
        // a 3 GB sparse file: refused from its size, before a byte of data is read
        Path sparse = tmp.resolve("sparse.npy");
        byte[] head = npy("(805306368,)", 0);
        Files.write(sparse, head);
        try (RandomAccessFile f = new RandomAccessFile(sparse.toFile(), "rw")) {
            f.setLength(head.length + 3L * 1024 * 1024 * 1024);
        }
        long t0 = System.nanoTime();
        bad(() -> NpyFiles.read(sparse), "sparse.npy", "limit");
        assertTrue(System.nanoTime() - t0 < 2_000_000_000L, "refused without reading");
        float[] nan = {1, Float.NaN, 3};
        Path n = tmp.resolve("nan.npy");
        NpyFiles.writeFloat32(n, new int[] {3}, nan);
        bad(() -> NpyFiles.read(n).requireFinite(n.toString()), "nan.npy", "1 of 3 values are NaN");
    }

    static byte[] npy(String shape, int dataBytes) {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }";
        int total = (10 + dict.length() + 1 + 63) / 64 * 64;
        StringBuilder h = new StringBuilder(dict);
        while (10 + h.length() + 1 < total) {
            h.append(' ');
        }
        h.append('\n');
        ByteBuffer b = ByteBuffer.allocate(10 + h.length() + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        b.putShort((short) h.length()).put(h.toString().getBytes(StandardCharsets.ISO_8859_1));
        return b.array();
    }

    @Test
    void imagesAreCheckedBeforeDecodingAndStrictly() throws IOException {
        byte[] png = ImageFiles.grayPng(8, 8, new byte[64]);
        assertEquals(8, ImageFiles.decode("ok.png", png).getWidth());
        // decompression bomb: the IHDR says 20000x20000 (the CRC is fixed, so only the size is wrong)
        byte[] bomb = png.clone();
        ByteBuffer.wrap(bomb).putInt(16, 20000).putInt(20, 20000);
        fixCrc(bomb, 8);
        bad(() -> ImageFiles.decode("bomb.png", bomb), "bomb.png", "20000x20000", "400,000,000", "limit");
        byte[] crc = png.clone();
        crc[29] ^= 1; // the IHDR CRC
        bad(() -> ImageFiles.decode("crc.png", crc), "crc.png", "bad CRC of the IHDR chunk");
        bad(() -> ImageFiles.decode("cut.png", Arrays.copyOf(png, png.length - 12)), "cut.png", "truncated PNG");
        byte[] rgb = new byte[64 * 64 * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) (i * 7);
        }
        byte[] jpg = ImageFiles.jpeg(64, 64, rgb, 0.9f);
        assertEquals(64, ImageFiles.decode("ok.jpg", jpg).getHeight());
        bad(() -> ImageFiles.decode("cut.jpg", Arrays.copyOf(jpg, jpg.length / 2)), "cut.jpg", "malformed image");
    }

    static void fixCrc(byte[] png, int chunk) {
        ByteBuffer b = ByteBuffer.wrap(png);
        int len = b.getInt(chunk);
        CRC32 c = new CRC32();
        c.update(png, chunk + 4, 4 + len);
        b.putInt(chunk + 8 + len, (int) c.getValue());
    }

    @Test
    void safetensorsHeadersAreExactAndStrict() throws IOException {
        bad(
                () -> open(
                        header("{\"t\":{\"dtype\":\"F32\",\"shape\":[18446744073709551648],\"data_offsets\":[0,128]}}"),
                        128),
                "too large");
        bad(
                () -> open(
                        header(
                                "{\"t\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,128]}}"),
                        128),
                "element count",
                "limit");
        bad(
                () -> open(header("{'t':{'dtype':'F32','shape':[2],'data_offsets':[0,8]}}"), 8),
                "bad header",
                "not valid JSON");
        bad(
                () -> open(header("{\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}"), 12),
                "4 trailing bytes");
        bad(
                () -> open(header("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}"), 8),
                "belong to no tensor");
        Path ok = tmp.resolve("ok.safetensors");
        SafetensorsWriter.write(ok, Map.of("t", Tensor.of(new long[] {2}, new float[] {1, 2})), Map.of());
        try (SafetensorsFile f = SafetensorsFile.open(ok)) {
            assertEquals(2, f.floats("t").length);
        }
    }

    private byte[] header(String json) {
        return json.getBytes(StandardCharsets.UTF_8);
    }

    private void open(byte[] header, int dataBytes) throws IOException {
        Path p = tmp.resolve("h.safetensors");
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header);
        Files.write(p, b.array());
        SafetensorsFile.open(p).close();
    }

    @Test
    void hugeModelsAndThreadCountsAreRefusedBeforeAllocating() throws IOException {
        Path out = tmp.resolve("w.safetensors");
        badCli(
                CliRun.of("init-weights", "--config", CONFIG, "--img-size", "100000x100000", "--out", out.toString()),
                "backbone_kwargs.img_size",
                "limit");
        badCli(
                CliRun.of("init-weights", "--config", CONFIG, "--img-size", "16384x16384", "--out", out.toString()),
                "limit",
                "m3vit.limit.");
        badCli(
                CliRun.of("init-weights", "--config", CONFIG, "--moe-experts", "1000000", "--out", out.toString()),
                "backbone_kwargs.moe_experts",
                "limit");
        badCli(
                CliRun.of(
                        "init-weights",
                        "--config",
                        CONFIG,
                        "--moe-experts",
                        "60000",
                        "--moe-mlp-ratio",
                        "1000",
                        "--out",
                        out.toString()),
                "parameter count",
                "1,000,000,000");
        badCli(
                CliRun.of("init-weights", "--config", CONFIG, "--moe-mlp-ratio", "1e6", "--out", out.toString()),
                "backbone_kwargs.moe_mlp_ratio",
                "limit");
        assertFalse(Files.exists(out));
        badCli(
                CliRun.of(
                        "predict",
                        "--weights",
                        out.toString(),
                        "--task",
                        "sal",
                        "--image",
                        "x.png",
                        "--out",
                        "y.png",
                        "--threads",
                        "100000"),
                "--threads");
        badCli(
                CliRun.of(
                        "synth",
                        "--layout",
                        "pascal",
                        "--n",
                        "2",
                        "--out",
                        tmp.resolve("s").toString(),
                        "--threads",
                        "100000"),
                "threads",
                "limit");
        badCli(
                CliRun.of("flops", "--config", CONFIG, "--img-size", "65536x65536", "--moe-mlp-ratio", "100000"),
                "too large to count");
        Path w = tmp.resolve("ok.safetensors");
        assertEquals(0, CliRun.of("init-weights", "--config", CONFIG, "--out", w.toString()).exit);
        badCli(
                CliRun.of(
                        "eval", "--weights", w.toString(), "--data-root", tmp.toString(), "--batch-size", "100000000"),
                "--batch-size",
                "largest activation of a batch of 100000000",
                "limit");
        CliRun ok = CliRun.of("flops", "--config", CONFIG, "--json");
        assertEquals(0, ok.exit, ok.err);
        assertTrue(ok.out.matches("(?s).*\"head_flops\": [1-9][0-9]*.*"), ok.out);
    }

    @Test
    void nonFiniteValuesNeverPassSilently(@TempDir Path dir) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rmse", Double.NaN);
        m.put("mIoU", 0.5);
        m.put("inf", Double.POSITIVE_INFINITY);
        String json = MetricsJson.format(Map.of("depth", m));
        assertFalse(json.contains("NaN") || json.contains("Infinity"), json);
        assertTrue(json.contains("\"rmse\":null") && json.contains("\"mIoU\":0.5"), json);

        Path w = dir.resolve("w.safetensors");
        assertEquals(0, CliRun.of("init-weights", "--config", CONFIG, "--out", w.toString()).exit);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, String> meta;
        try (SafetensorsFile f = SafetensorsFile.open(w)) {
            meta = f.metadata();
            for (String name : f.tensors().keySet()) {
                tensors.put(name, f.read(name));
            }
        }
        Tensor t = tensors.get("backbone.cls_token");
        t.floats()[3] = Float.NaN;
        SafetensorsWriter.write(w, tensors, meta);
        Path x = dir.resolve("x.npy");
        NpyFiles.writeFloat32(x, new int[] {1, 3, 64, 64}, new float[3 * 64 * 64]);
        badCli(
                CliRun.of(
                        "predict",
                        "--weights",
                        w.toString(),
                        "--task",
                        "sal",
                        "--input",
                        x.toString(),
                        "--out",
                        dir.resolve("y.npy").toString(),
                        "--threads",
                        "1"),
                "backbone.cls_token",
                "NaN");
        float[] v = new float[3 * 64 * 64];
        v[17] = Float.POSITIVE_INFINITY;
        NpyFiles.writeFloat32(x, new int[] {1, 3, 64, 64}, v);
        badCli(
                CliRun.of(
                        "predict",
                        "--weights",
                        w.toString(),
                        "--task",
                        "sal",
                        "--input",
                        x.toString(),
                        "--out",
                        dir.resolve("y.npy").toString()),
                "x.npy",
                "flat index 17");
    }
}
