package org.m3vit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, messages and exit codes: a flag error is the line {@code m3vit <cmd>: error: …} and at most a
 * one-line hint to {@code --help} (no usage dump); every bad input exits 2 with one line naming what is
 * wrong; library messages that say nothing alone get their path or kind.
 */
class CliErrorsTest {

    static final String CONFIG = "configs/synth/vit_moe/tiny_pascal.yml";

    @TempDir
    Path tmp;

    private static void flagError(CliRun r, String command, String... parts) {
        assertEquals(2, r.exit, r.err);
        List<String> lines = r.err.strip().lines().toList();
        assertEquals(2, lines.size(), r.err);
        assertTrue(lines.get(0).startsWith("m3vit " + command + ": error: "), r.err);
        assertEquals("try 'm3vit " + command + " --help' for usage", lines.get(1));
        for (String p : parts) {
            assertTrue(lines.get(0).contains(p), "'" + p + "' in " + r.err);
        }
        assertEquals("", r.out, "no usage on stdout");
    }

    private static void badInput(CliRun r, String command, String... parts) {
        assertEquals(2, r.exit, r.err);
        List<String> lines = r.err.strip().lines().toList();
        assertEquals(1, lines.size(), r.err);
        assertTrue(lines.get(0).startsWith("m3vit " + command + ": error: "), r.err);
        for (String p : parts) {
            assertTrue(lines.get(0).contains(p), "'" + p + "' in " + r.err);
        }
    }

    @Test
    void flagErrorsAreOneLinePlusAHint() {
        flagError(CliRun.of("train", "--epochs", "x", "--config", CONFIG), "train", "--epochs", "'x'");
        flagError(CliRun.of("flops", "--config"), "flops", "--config");
        flagError(CliRun.of("eval"), "eval", "--weights");
        flagError(CliRun.of("predict", "--weights", "w", "--task", "sal", "--out", "o.png"), "predict", "--image");
        flagError(CliRun.of("flops", "--config", CONFIG, "--no-such-flag"), "flops", "--no-such-flag");
        flagError(CliRun.of("bench", "moe", "--experts", "many"), "bench moe", "--experts");
    }

    @Test
    void aSubcommandsBadInputNamesTheWholeCommand() {
        badInput(
                CliRun.of(
                        "generalist",
                        "train",
                        "--config",
                        "configs/generalist/tiny.yml",
                        "--data",
                        tmp.toString(),
                        "--save-dir",
                        tmp.resolve("run").toString(),
                        "--checkpoint-every",
                        "-1"),
                "generalist train",
                "--checkpoint-every",
                "-1");
    }

    @Test
    void badFilesExit2NamingThePath() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("adir"));
        badInput(CliRun.of("flops", "--config", dir.toString()), "flops", dir.toString());
        badInput(CliRun.of("flops", "--config", tmp.resolve("missing.yml").toString()), "flops", "missing.yml");
        Path latin1 = tmp.resolve("latin1.yml");
        Files.write(latin1, new byte[] {'a', ':', ' ', (byte) 0xe9, '\n'});
        badInput(CliRun.of("flops", "--config", latin1.toString()), "flops", "latin1.yml", "not UTF-8");
        Path huge = tmp.resolve("huge.yml");
        Files.writeString(
                huge, Files.readString(Path.of(CONFIG)).replace("depth: 4", "depth: '" + "9".repeat(1 << 20) + "'"));
        CliRun r = CliRun.of("flops", "--config", huge.toString());
        badInput(r, "flops", "backbone_kwargs.depth");
        assertTrue(r.err.length() < 500, "no 1 MB value echoed: " + r.err.length());
        Path w = tmp.resolve("w.safetensors");
        Files.writeString(w, "not safetensors");
        badInput(
                CliRun.of(
                        "predict",
                        "--weights",
                        w.toString(),
                        "--task",
                        "sal",
                        "--input",
                        dir.toString(),
                        "--out",
                        tmp.resolve("y.npy").toString()),
                "predict",
                dir.toString(),
                "is a directory");
        Path x = tmp.resolve("x.npy");
        org.m3vit.io.NpyFiles.writeFloat32(x, new int[] {1, 3, 64, 64}, new float[3 * 64 * 64]);
        badInput(
                CliRun.of(
                        "predict",
                        "--weights",
                        w.toString(),
                        "--task",
                        "sal",
                        "--input",
                        x.toString(),
                        "--out",
                        tmp.resolve("y.npy").toString()),
                "predict",
                w.toString());
        badInput(
                CliRun.of(
                        "score",
                        "--db",
                        "pascal",
                        "--root",
                        dir.toString(),
                        "--pred",
                        dir.toString(),
                        "--tasks",
                        "sal"),
                "score",
                dir.toString());
        badInput(
                CliRun.of(
                        "report",
                        "--run",
                        dir.toString(),
                        "--out",
                        tmp.resolve("r").toString()),
                "report",
                "metrics.jsonl");
        Path run = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(run.resolve("metrics.jsonl"), "{\"epoch\": 1, \"train_loss\": {\"semseg\": null}}\n");
        badInput(
                CliRun.of(
                        "report",
                        "--run",
                        run.toString(),
                        "--out",
                        tmp.resolve("r").toString()),
                "report",
                "metrics.jsonl:1");
        Files.writeString(run.resolve("metrics.jsonl"), "{\"epoch\": 1}\n");
        Files.writeString(run.resolve("expert_usage.json"), "{\"semseg\": 5}");
        badInput(
                CliRun.of(
                        "report",
                        "--run",
                        run.toString(),
                        "--out",
                        tmp.resolve("r").toString()),
                "report",
                "expert_usage.json",
                "malformed expert usage");
        Path json = run.resolve("checkpoint.json");
        Files.writeString(json, "{'epoch': 1}");
        r = CliRun.of("train", "--config", CONFIG, "--data-root", tmp.toString(), "--resume", run.toString());
        badInput(r, "train", "checkpoint.json", "not valid JSON");
        assertFalse(r.err.contains("setStrictness") || r.err.contains("LENIENT"), r.err);
    }
}
