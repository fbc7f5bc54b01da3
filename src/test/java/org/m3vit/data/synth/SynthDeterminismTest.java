package org.m3vit.data.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.cli.CliRun;
import org.m3vit.task.DatasetLayout;

class SynthDeterminismTest {

    @TempDir
    Path tmp;

    private static TreeMap<String, byte[]> contents(Path root) throws Exception {
        TreeMap<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.filter(Files::isRegularFile).collect(Collectors.toList())) {
                out.put(root.relativize(p).toString(), Files.readAllBytes(p));
            }
        }
        return out;
    }

    @Test
    void sameSeedGivesIdenticalFilesForAnyThreadCount() throws Exception {
        for (DatasetLayout layout : DatasetLayout.values()) {
            Path a = tmp.resolve(layout + "-a");
            Path b = tmp.resolve(layout + "-b");
            Path c = tmp.resolve(layout + "-c");
            Synthesizer.run(new Synthesizer.Options(layout, 5, 24, 32, 11, 0.4, 1), a, i -> {});
            Synthesizer.run(new Synthesizer.Options(layout, 5, 24, 32, 11, 0.4, 2), b, i -> {});
            Synthesizer.run(new Synthesizer.Options(layout, 5, 24, 32, 12, 0.4, 2), c, i -> {});
            TreeMap<String, byte[]> ca = contents(a);
            TreeMap<String, byte[]> cb = contents(b);
            assertEquals(ca.keySet(), cb.keySet());
            int perImage = layout == DatasetLayout.NYUD ? 5 : 6;
            assertEquals(
                    5 * perImage + (layout == DatasetLayout.NYUD ? 2 : 3), ca.size(), "files written: " + ca.keySet());
            for (String k : ca.keySet()) {
                assertArrayEquals(ca.get(k), cb.get(k), k);
                if (k.endsWith(".mat")) {
                    // No creation time in the header: otherwise runs a second apart differ (this test was flaky).
                    String header = new String(ca.get(k), 0, 116, StandardCharsets.US_ASCII);
                    assertEquals(
                            "MATLAB 5.0 MAT-file, Platform: m3vit, Created by: m3vit synth",
                            header.replace('\0', ' ').strip(),
                            k);
                }
            }
            TreeMap<String, byte[]> cc = contents(c);
            String image = layout == DatasetLayout.NYUD ? "images/000000.jpg" : "JPEGImages/000000.jpg";
            assertFalse(Arrays.equals(ca.get(image), cc.get(image)), "another seed gives another scene");
        }
    }

    @Test
    void imagesAreVariedAcrossIndices() {
        // Different indices of one seed give different scenes (different per-image streams).
        Frame f0 = Synthesizer.render(DatasetLayout.PASCAL, 1, 0, 16, 16);
        Frame f1 = Synthesizer.render(DatasetLayout.PASCAL, 1, 1, 16, 16);
        assertFalse(Arrays.equals(f0.rgb, f1.rgb));
        assertTrue(Synthesizer.imageSeed(1, 0) != Synthesizer.imageSeed(1, 1));
    }

    @Test
    void splitIsDeterministicAndDisjoint() {
        Synthesizer.Result r = Synthesizer.split(10, 0.3, 5);
        Synthesizer.Result again = Synthesizer.split(10, 0.3, 5);
        assertEquals(r.val, again.val);
        assertEquals(3, r.val.size());
        assertEquals(7, r.train.size());
        for (String v : r.val) {
            assertFalse(r.train.contains(v));
        }
    }

    @Test
    void cliRefusesNonEmptyDirAndBadFlags() throws Exception {
        Path out = tmp.resolve("out");
        Files.createDirectories(out);
        Path keep = out.resolve("notes.txt");
        Files.writeString(keep, "mine");
        CliRun refused =
                CliRun.of("synth", "--layout", "pascal", "--n", "2", "--size", "16x16", "--out", out.toString());
        assertEquals(2, refused.exit);
        assertTrue(refused.err.contains("m3vit synth: error: " + out + " is not empty"), refused.err);
        try (Stream<Path> left = Files.list(out)) {
            assertEquals(List.of(keep), left.collect(Collectors.toList()), "nothing written into a refused directory");
        }
        // {flag, bad value, start of the message}: the CLI names its flag when parsing, the generator its setting
        for (String[] bad : new String[][] {
            {"--size", "16by16", "--size"},
            {"--size", "4x4", "size: must be between"},
            {"--split-val", "1.5", "valFraction: must be in [0, 1)"},
            {"--n", "0", "count: must be >= 1"}
        }) {
            Map<String, String> opts = new LinkedHashMap<>();
            opts.put("--layout", "nyud");
            opts.put("--n", "2");
            opts.put("--size", "16x16");
            opts.put("--out", tmp.resolve("x").toString());
            opts.put(bad[0], bad[1]);
            List<String> argList = new ArrayList<>(List.of("synth"));
            opts.forEach((k, v) -> {
                argList.add(k);
                argList.add(v);
            });
            String[] args = argList.toArray(new String[0]);
            CliRun r = CliRun.of(args);
            assertEquals(2, r.exit, String.join(" ", bad));
            assertTrue(r.err.contains("m3vit synth: error: " + bad[2]), r.err);
        }
        CliRun coco = CliRun.of(
                "synth",
                "--layout",
                "coco",
                "--n",
                "2",
                "--out",
                tmp.resolve("y").toString());
        assertEquals(2, coco.exit);
        assertTrue(coco.err.contains("unknown dataset layout 'coco'"), coco.err);
        assertFalse(Files.exists(tmp.resolve("x")) || Files.exists(tmp.resolve("y")), "bad flags write nothing");
    }

    @Test
    void cliWritesTheDatasetWithOverwrite() throws Exception {
        Path out = tmp.resolve("ds");
        assertEquals(
                0,
                CliRun.of(
                                "synth",
                                "--layout",
                                "nyud",
                                "--n",
                                "3",
                                "--size",
                                "16x24",
                                "--seed",
                                "4",
                                "--split-val",
                                "0.34",
                                "--out",
                                out.toString())
                        .exit);
        List<String> train = Files.readAllLines(out.resolve("gt_sets/train.txt"));
        List<String> val = Files.readAllLines(out.resolve("gt_sets/val.txt"));
        assertEquals(2, train.size());
        assertEquals(1, val.size());
        TreeSet<String> all = new TreeSet<>(train);
        all.addAll(val);
        assertEquals(List.of("000000", "000001", "000002"), List.copyOf(all));
        assertTrue(Files.isRegularFile(out.resolve("normals/000002.npy")));
        assertEquals(
                2, CliRun.of("synth", "--layout", "nyud", "--n", "3", "--size", "16x24", "--out", out.toString()).exit);
        assertEquals(
                0,
                CliRun.of(
                                "synth",
                                "--layout",
                                "nyud",
                                "--n",
                                "3",
                                "--size",
                                "16x24",
                                "--out",
                                out.toString(),
                                "--overwrite")
                        .exit);
    }
}
