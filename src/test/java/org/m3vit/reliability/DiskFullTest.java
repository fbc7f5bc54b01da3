package org.m3vit.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.cli.CliRun;
import org.m3vit.data.synth.Synthesizer;
import org.m3vit.io.AtomicFiles;
import org.m3vit.task.DatasetLayout;
import org.m3vit.train.Checkpoint;
import org.m3vit.train.RunLayout;

/**
 * Issue 16: a full disk and a read-only directory during {@code m3vit train}. The run fails with exit 1
 * and a message naming the file and the cause; the previous checkpoint is byte-identical and complete; no
 * partial or temporary file is left. The full disk is injected into {@code AtomicFiles} (always) and is a
 * real tiny tmpfs where this machine lets the test mount one (as root); the read-only case needs the mount.
 */
class DiskFullTest {

    static final String CONFIG = "configs/synth/vit_moe/tiny_pascal.yml";

    static String[] train(Path data, Path run, String... extra) {
        String[] base = {
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
            "4",
            "--no-validate",
            "--threads",
            "1"
        };
        String[] out = new String[base.length + extra.length];
        System.arraycopy(base, 0, out, 0, base.length);
        System.arraycopy(extra, 0, out, base.length, extra.length);
        return out;
    }

    static Map<String, byte[]> snapshot(Path dir) throws IOException {
        Map<String, byte[]> m = new LinkedHashMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                m.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return m;
    }

    static void assertUnchanged(Map<String, byte[]> before, Path dir) throws IOException {
        Map<String, byte[]> after = snapshot(dir);
        assertEquals(before.keySet(), after.keySet(), "no new, partial or temporary file");
        before.forEach((k, v) -> assertArrayEquals(v, after.get(k), k));
        Checkpoint.State s = Checkpoint.readState(new RunLayout(dir).checkpointJson());
        assertEquals(1, s.epoch);
    }

    @Test
    void anInjectedFullDiskLeavesThePreviousCheckpoint(@TempDir Path tmp) throws IOException {
        Path data = tmp.resolve("data");
        Synthesizer.run(new Synthesizer.Options(DatasetLayout.PASCAL, 6, 32, 32, 5, 0.34, 2), data, i -> {});
        Path run = tmp.resolve("run");
        assertEquals(0, CliRun.of(train(data, run, "--stop-after", "1")).exit);
        Map<String, byte[]> before = snapshot(run);
        for (long after : new long[] {0, 5_000, 60_000}) {
            AtomicFiles.injectFailureAfter(after);
            CliRun r;
            try {
                r = CliRun.of(train(data, run, "--resume", run.toString()));
            } finally {
                AtomicFiles.injectFailureAfter(-1);
            }
            assertEquals(1, r.exit, r.err);
            assertTrue(r.err.contains("error: " + run) && r.err.contains("No space left on device"), r.err);
            assertUnchanged(before, run);
        }
        assertEquals(0, CliRun.of(train(data, run, "--resume", run.toString())).exit, "resumes once there is room");
    }

    @Test
    void aRealFullAndReadOnlyTmpfs(@TempDir Path tmp) throws Exception {
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        Path data = tmp.resolve("data");
        Synthesizer.run(new Synthesizer.Options(DatasetLayout.PASCAL, 6, 32, 32, 5, 0.34, 2), data, i -> {});
        // the size of one epoch's run directory, measured on the normal disk
        Path probe = tmp.resolve("probe");
        assertEquals(0, CliRun.of(train(data, probe, "--stop-after", "1")).exit);
        long size = 0;
        for (byte[] b : snapshot(probe).values()) {
            size += b.length;
        }
        long tmpfs = (size * 3 / 2 + 4095) / 4096 * 4096 + 8192; // room for one checkpoint, not for two
        assumeTrue(
                sh("mount", "-t", "tmpfs", "-o", "size=" + tmpfs, "tmpfs", mnt.toString()),
                "cannot mount a tmpfs here");
        try {
            Path run = mnt.resolve("run");
            CliRun r = CliRun.of(train(data, run, "--stop-after", "1"));
            assertEquals(0, r.exit, r.err);
            Map<String, byte[]> before = snapshot(run);
            r = CliRun.of(train(data, run, "--resume", run.toString()));
            assertEquals(1, r.exit, r.err);
            assertTrue(r.err.contains("No space left on device") && r.err.contains(run.toString()), r.err);
            assertUnchanged(before, run);

            assertTrue(sh("mount", "-o", "remount,ro", mnt.toString()));
            r = CliRun.of(train(data, run, "--resume", run.toString()));
            assertEquals(1, r.exit, r.err);
            String last = r.err.strip().lines().reduce((a, b) -> b).orElse("");
            assertTrue(last.startsWith("m3vit train: error: " + run) && last.contains("read-only file system"), r.err);
            assertFalse(r.err.contains("epoch 2/"), "fails before training an epoch: " + r.err);
            assertUnchanged(before, run);
        } finally {
            sh("umount", mnt.toString());
        }
    }

    static boolean sh(String... cmd) throws IOException, InterruptedException {
        if (!"root".equals(System.getProperty("user.name"))) {
            return false;
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }
}
