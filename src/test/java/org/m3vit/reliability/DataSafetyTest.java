package org.m3vit.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.cli.CliRun;
import org.m3vit.data.synth.Synthesizer;
import org.m3vit.io.NpyFiles;
import org.m3vit.task.DatasetLayout;

/**
 * Issue 16, data loss: nothing outside a command's own outputs is ever written or deleted. Each case is one
 * way a command could have destroyed a file it does not own; each asserts the exit code, that the message
 * names the path, and that the file is byte-identical afterwards.
 */
class DataSafetyTest {

    static final String CONFIG = "configs/synth/vit_moe/tiny_pascal.yml";

    @TempDir
    static Path shared;

    static Path data;
    static Path weights;

    @BeforeAll
    static void setUp() throws IOException {
        data = shared.resolve("data");
        Synthesizer.run(new Synthesizer.Options(DatasetLayout.PASCAL, 6, 32, 32, 5, 0.34, 2), data, i -> {});
        weights = shared.resolve("w.safetensors");
        CliRun r = CliRun.of(
                "init-weights", "--config", CONFIG, "--img-size", "32x32", "--out", weights.toString(), "--seed", "1");
        assertEquals(0, r.exit, r.err);
    }

    private static String[] train(Path run, String... extra) {
        List<String> a = new ArrayList<>(List.of(
                "train",
                "--config",
                CONFIG,
                "--img-size",
                "32x32",
                "--data-root",
                data.toString(),
                "--save-dir",
                run.toString(),
                "--epochs",
                "2",
                "--tr-batch",
                "2",
                "--no-validate",
                "--threads",
                "1"));
        a.addAll(Arrays.asList(extra));
        return a.toArray(String[]::new);
    }

    private static void assertBadInput(CliRun r, String... expected) {
        assertEquals(2, r.exit, r.err);
        assertEquals(1, r.err.strip().lines().count(), "one line: " + r.err);
        for (String e : expected) {
            assertTrue(r.err.contains(e), "'" + e + "' in: " + r.err);
        }
    }

    @Test
    void aTamperedCheckpointCannotMakeTrainDeleteOrReadAnotherFile(@TempDir Path tmp) throws IOException {
        Path run = tmp.resolve("run");
        CliRun r = CliRun.of(train(run, "--stop-after", "1"));
        assertEquals(0, r.exit, r.err);
        Path victim = tmp.resolve("victim.txt");
        Files.writeString(victim, "precious");
        Path json = run.resolve("checkpoint.json");
        String good = Files.readString(json);
        for (String name :
                new String[] {victim.toString(), "../victim.txt", "metrics.jsonl", "sub/weights-epoch0001.safetensors"
                }) {
            Files.writeString(
                    json,
                    good.replaceFirst(
                            "\"weights\": \"[^\"]+\"", "\"weights\": \"" + name.replace("\\", "\\\\") + "\""));
            r = CliRun.of(train(run, "--resume", run.toString()));
            assertBadInput(r, "checkpoint.json", "not one that m3vit writes");
            assertEquals("precious", Files.readString(victim));
            assertTrue(Files.exists(run.resolve("metrics.jsonl")));
        }
        Files.writeString(json, good);
        r = CliRun.of(train(run, "--resume", run.toString()));
        assertEquals(0, r.exit, r.err);
        assertEquals("precious", Files.readString(victim));
        assertFalse(
                Files.exists(run.resolve("weights-epoch0001.safetensors")), "the previous checkpoint's own files go");
        assertTrue(Files.exists(run.resolve("weights-epoch0002.safetensors")));
    }

    @Test
    void trainRefusesAnExistingRunWithoutResumeOrOverwrite(@TempDir Path tmp) throws IOException {
        Path run = tmp.resolve("run");
        assertEquals(0, CliRun.of(train(run, "--stop-after", "1")).exit);
        Path mine = Files.writeString(run.resolve("notes.txt"), "mine");
        byte[] ckpt = Files.readAllBytes(run.resolve("checkpoint.json"));
        byte[] metrics = Files.readAllBytes(run.resolve("metrics.jsonl"));
        CliRun r = CliRun.of(train(run));
        assertBadInput(r, run.toString(), "--resume", "--overwrite");
        assertArrayEquals(ckpt, Files.readAllBytes(run.resolve("checkpoint.json")));
        assertArrayEquals(metrics, Files.readAllBytes(run.resolve("metrics.jsonl")));

        r = CliRun.of(train(run, "--overwrite", "--stop-after", "1"));
        assertEquals(0, r.exit, r.err);
        assertEquals(1, Files.readAllLines(run.resolve("metrics.jsonl")).size(), "a new log, not appended");
        assertEquals("mine", Files.readString(mine), "files m3vit did not write stay");
        assertBadInput(CliRun.of(train(run, "--overwrite", "--resume", run.toString())), "--resume", "--overwrite");
        assertBadInput(CliRun.of(train(data)), "dataset root");
    }

    @Test
    void splitIdsMustBePlainNames(@TempDir Path tmp) throws IOException {
        Path root = tmp.resolve("data");
        copyTree(data, root);
        Path val = root.resolve("ImageSets/Context/val.txt");
        for (String bad : new String[] {"../../escape", "a/b", "..", "x\\y"}) {
            Files.writeString(val, bad + "\n", StandardCharsets.UTF_8);
            Path out = tmp.resolve("out");
            CliRun r = CliRun.of(
                    "eval",
                    "--weights",
                    weights.toString(),
                    "--data-root",
                    root.toString(),
                    "--out",
                    out.toString(),
                    "--threads",
                    "1");
            assertBadInput(r, "val.txt", "line 1", "not a plain file name");
            assertFalse(Files.exists(tmp.resolve("escape")));
            assertFalse(Files.exists(out));
        }
    }

    @Test
    void evalNeverWritesIntoTheDatasetRoot(@TempDir Path tmp) throws IOException {
        Path root = tmp.resolve("data");
        copyTree(data, root);
        List<Path> before = files(root);
        List<byte[]> bytes = new ArrayList<>();
        for (Path p : before) {
            bytes.add(Files.readAllBytes(p));
        }
        for (Path out : new Path[] {root, tmp, root.resolve("x/..")}) {
            CliRun r = CliRun.of(
                    "eval",
                    "--weights",
                    weights.toString(),
                    "--data-root",
                    root.toString(),
                    "--out",
                    out.toString(),
                    "--threads",
                    "1");
            assertBadInput(r, "--out", "dataset root");
        }
        assertEquals(before, files(root));
        for (int i = 0; i < before.size(); i++) {
            assertArrayEquals(
                    bytes.get(i),
                    Files.readAllBytes(before.get(i)),
                    before.get(i).toString());
        }
    }

    @Test
    void anOutputIsNeverItsOwnInput(@TempDir Path tmp) throws IOException {
        Path w = tmp.resolve("w.safetensors");
        Files.copy(weights, w);
        byte[] wBytes = Files.readAllBytes(w);
        Path x = tmp.resolve("x.npy");
        NpyFiles.writeFloat32(x, new int[] {1, 3, 32, 32}, new float[3 * 32 * 32]);
        byte[] xBytes = Files.readAllBytes(x);
        Path cfg = tmp.resolve("c.yml");
        Files.copy(Path.of(CONFIG), cfg);
        byte[] cBytes = Files.readAllBytes(cfg);
        Files.createSymbolicLink(tmp.resolve("link.npy"), x);

        assertBadInput(
                CliRun.of(
                        "predict",
                        "--weights",
                        w.toString(),
                        "--task",
                        "semseg",
                        "--input",
                        x.toString(),
                        "--out",
                        tmp.resolve("link.npy").toString()),
                "--out",
                "--input");
        assertBadInput(
                CliRun.of(
                        "predict",
                        "--weights",
                        w.toString(),
                        "--task",
                        "semseg",
                        "--input",
                        x.toString(),
                        "--out",
                        tmp.resolve("sub/../w.safetensors").toString().replace("w.safetensors", "x.npy")),
                "--input");
        assertBadInput(CliRun.of("init-weights", "--config", cfg.toString(), "--out", cfg.toString()), "--config");
        assertBadInput(
                CliRun.of(
                        "import-timm", "--config", cfg.toString(), "--checkpoint", w.toString(), "--out", w.toString()),
                "--checkpoint");
        assertBadInput(
                CliRun.of("eval", "--weights", w.toString(), "--data-root", data.toString(), "--out", w.toString()),
                "--weights");
        assertArrayEquals(wBytes, Files.readAllBytes(w));
        assertArrayEquals(xBytes, Files.readAllBytes(x));
        assertArrayEquals(cBytes, Files.readAllBytes(cfg));
    }

    static List<Path> files(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.sorted().toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }
}
