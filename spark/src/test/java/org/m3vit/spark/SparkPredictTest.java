package org.m3vit.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.cli.Main;
import org.m3vit.io.ImageFiles;
import org.m3vit.io.NpyFiles;
import org.m3vit.spark.cli.SparkCli;
import org.m3vit.task.Task;

/**
 * spark predict in local mode: the outputs equal single-process {@code m3vit predict}'s, a task that fails
 * on its first attempt is retried and the output is complete and identical, and bad input is refused with
 * exit 2 and a message naming it.
 */
class SparkPredictTest {

    @TempDir
    static Path dir;

    static Path weights;
    static Path inputs;

    @BeforeAll
    static void fixtures() throws IOException {
        weights = Fixtures.weights(dir, "predict-w.safetensors");
        inputs = dir.resolve("in");
        Fixtures.npy(inputs.resolve("a.npy"), 1, true);
        Fixtures.npy(inputs.resolve("b.npy"), 2, false);
        Fixtures.npy(inputs.resolve("c.npy"), 3, false);
        Fixtures.npy(inputs.resolve("d.npy"), 4, true);
        Files.writeString(inputs.resolve("notes.txt"), "not an input: left out by the file filter");
    }

    @AfterAll
    static void closePredictors() {
        ExecutorPredictors.closeAll();
    }

    @Test
    void outputsEqualSingleProcessPredict() throws IOException {
        Path out = dir.resolve("out-equal");
        int loadsBefore = ExecutorPredictors.loads();
        Result r = spark(
                "predict",
                "--weights",
                weights.toString(),
                "--input",
                inputs.toString(),
                "--tasks",
                "normals,semseg",
                "--out",
                out.toString(),
                "--master",
                "local[2]",
                "--partitions",
                "2",
                "--batch",
                "1");
        assertEquals(0, r.exit, r.err);
        assertEquals(1, ExecutorPredictors.loads() - loadsBefore, "both task threads share one predictor");
        assertTrue(Files.exists(out.resolve("_SUCCESS")));
        for (String name : List.of("a", "b", "c", "d")) {
            Path in = Fixtures.asBatch(inputs.resolve(name + ".npy"), dir.resolve("single-" + name + ".npy"));
            for (Task t : List.of(Task.SEMSEG, Task.NORMALS)) {
                Path ref = dir.resolve("single-" + name + "-" + t.id() + ".npy");
                assertEquals(
                        0,
                        Main.run(
                                "predict",
                                "--weights",
                                weights.toString(),
                                "--task",
                                t.id(),
                                "--input",
                                in.toString(),
                                "--out",
                                ref.toString(),
                                "--threads",
                                "1"));
                Path got = out.resolve(t.id()).resolve(name + ".npy");
                assertArrayEquals(NpyFiles.read(ref).shape(), NpyFiles.read(got).shape(), got.toString());
                // batch 1 runs exactly the forward pass single-process predict runs: equal to the bit
                assertArrayEquals(NpyFiles.read(ref).data(), NpyFiles.read(got).data(), got.toString());
            }
        }
        assertEquals(
                List.of(
                        "_SUCCESS",
                        "normals/a.npy",
                        "normals/b.npy",
                        "normals/c.npy",
                        "normals/d.npy",
                        "semseg/a.npy",
                        "semseg/b.npy",
                        "semseg/c.npy",
                        "semseg/d.npy"),
                tree(out).keySet().stream().toList());

        // batched, the products round differently, so the last bits may differ
        Path batched = dir.resolve("out-batched");
        assertEquals(
                0,
                spark(
                                "predict",
                                "--weights",
                                weights.toString(),
                                "--input",
                                inputs + "/*.npy",
                                "--tasks",
                                "semseg,normals",
                                "--out",
                                batched.toString(),
                                "--master",
                                "local[1]",
                                "--batch",
                                "3")
                        .exit);
        for (String f : List.of("semseg/b.npy", "normals/d.npy")) {
            float[] a = NpyFiles.read(out.resolve(f)).data();
            float[] b = NpyFiles.read(batched.resolve(f)).data();
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i], b[i], 1e-4f * Math.max(1, Math.abs(a[i])), f + "[" + i + "]");
            }
        }
    }

    @Test
    void pngOutputsEqualSingleProcessPictures() throws IOException {
        Path in = dir.resolve("in-png");
        Files.createDirectories(in);
        byte[] rgb = new byte[40 * 52 * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) (i * 31 % 251);
        }
        Files.write(in.resolve("photo.png"), ImageFiles.rgbPng(40, 52, rgb));
        Path out = dir.resolve("out-png");
        assertEquals(
                0,
                spark(
                                "predict",
                                "--weights",
                                weights.toString(),
                                "--input",
                                in.toString(),
                                "--tasks",
                                "sal",
                                "--out",
                                out.toString(),
                                "--format",
                                "png",
                                "--master",
                                "local[1]",
                                "--batch",
                                "1")
                        .exit);
        Path ref = dir.resolve("single-photo-sal.png");
        assertEquals(
                0,
                Main.run(
                        "predict",
                        "--weights",
                        weights.toString(),
                        "--task",
                        "sal",
                        "--image",
                        in.resolve("photo.png").toString(),
                        "--out",
                        ref.toString(),
                        "--threads",
                        "1"));
        BufferedImage a = ImageFiles.decode("ref", Files.readAllBytes(ref));
        BufferedImage b = ImageFiles.decode("got", Files.readAllBytes(out.resolve("sal/photo.png")));
        assertEquals(52, b.getWidth());
        assertEquals(40, b.getHeight());
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 52; x++) {
                assertEquals(a.getRGB(x, y), b.getRGB(x, y), "pixel " + x + "," + y);
            }
        }
    }

    /** Counts first attempts that failed; the fault runs in the test JVM (local mode), so a static works. */
    static final AtomicInteger INJECTED = new AtomicInteger();

    @Test
    void aFailedTaskIsRetriedAndTheOutputIsCompleteAndIdentical() throws IOException {
        ModelSource model = ModelSource.of(weights, null, 1, true);
        List<Task> tasks = List.of(Task.SEMSEG, Task.EDGE);
        Path clean = dir.resolve("out-clean");
        Path faulty = dir.resolve("out-faulty");
        run(
                "local[2]",
                new SparkPredict.Settings(model, tasks, OutputFormat.NPY, 2, 1, SparkPredict.Fault.NONE),
                clean);
        // partition 0's first attempt dies after its first file has been written to the attempt's directory
        AtomicInteger seen = new AtomicInteger();
        SparkPredict.Fault fault = path -> {
            TaskContext c = TaskContext.get();
            if (c.partitionId() == 0 && c.attemptNumber() == 0 && seen.incrementAndGet() == 2) {
                INJECTED.incrementAndGet();
                throw new IllegalStateException("injected failure before writing " + path);
            }
        };
        int before = INJECTED.get();
        run("local[2,3]", new SparkPredict.Settings(model, tasks, OutputFormat.NPY, 2, 1, fault), faulty);
        assertEquals(1, INJECTED.get() - before, "the fault fired once, in the first attempt");
        Map<String, byte[]> a = tree(clean);
        Map<String, byte[]> b = tree(faulty);
        assertEquals(a.keySet(), b.keySet(), "no file missing, none left over from the failed attempt");
        assertEquals(9, a.size()); // 4 inputs × 2 tasks + _SUCCESS
        a.forEach((f, bytes) -> assertArrayEquals(bytes, b.get(f), f));
        assertFalse(Files.exists(faulty.resolve("_temporary")));
    }

    @Test
    void badInputIsRefusedWithExitTwoNamingIt() throws IOException {
        Path bad = dir.resolve("in-bad");
        Files.createDirectories(bad);
        NpyFiles.writeFloat32(bad.resolve("wrong.npy"), new int[] {3, 32, 32}, new float[3 * 32 * 32]);
        Result shape = spark(
                "predict",
                "--weights",
                weights.toString(),
                "--input",
                bad.toString(),
                "--tasks",
                "sal",
                "--out",
                dir.resolve("out-bad").toString(),
                "--master",
                "local[1]");
        assertEquals(2, shape.exit, shape.err);
        assertTrue(shape.err.contains("wrong.npy") && shape.err.contains("(3, 64, 64)"), shape.err);

        Path used = dir.resolve("out-used");
        Files.createDirectories(used);
        Files.writeString(used.resolve("keep.txt"), "x");
        Result notEmpty = spark(
                "predict",
                "--weights",
                weights.toString(),
                "--input",
                inputs.toString(),
                "--tasks",
                "sal",
                "--out",
                used.toString(),
                "--master",
                "local[1]");
        assertEquals(2, notEmpty.exit);
        assertTrue(
                notEmpty.err.contains("m3vit spark predict: error: ") && notEmpty.err.contains("not empty"),
                notEmpty.err);

        Result task = spark(
                "predict",
                "--weights",
                weights.toString(),
                "--input",
                inputs.toString(),
                "--tasks",
                "depth",
                "--out",
                dir.resolve("out-depth").toString(),
                "--master",
                "local[1]");
        assertEquals(2, task.exit);
        assertTrue(task.err.contains("no depth head"), task.err);

        Result missing = spark(
                "predict",
                "--weights",
                dir.resolve("nope.safetensors").toString(),
                "--input",
                inputs.toString(),
                "--tasks",
                "sal",
                "--out",
                dir.resolve("out-nope").toString());
        assertEquals(2, missing.exit);
        assertTrue(missing.err.contains("nope.safetensors"), missing.err);
    }

    private static void run(String master, SparkPredict.Settings s, Path out) throws IOException {
        SparkSession spark = Sessions.start("test", master);
        try {
            SparkPredict.run(spark, inputs.toString(), out.toString(), s);
        } finally {
            spark.stop();
        }
    }

    /** Relative path → content of every file under {@code root}, sorted. */
    static Map<String, byte[]> tree(Path root) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                out.put(root.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
        }
        return out;
    }

    record Result(int exit, String err) {}

    static Result spark(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = SparkCli.run(args);
        } finally {
            System.setErr(old);
        }
        return new Result(code, e.toString(StandardCharsets.UTF_8));
    }
}
