package org.m3vit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.cli.Main;
import org.m3vit.data.synth.Synthesizer;
import org.m3vit.task.Dataset;

/** {@code m3vit train}: configuration mistakes exit 2 naming the key; a diverging run exits 1. */
class TrainCommandTest {

    static final String CONFIG = "configs/synth/vit_moe/tiny_pascal.yml";

    /** Runs the CLI; returns exit code and stderr. */
    private static Object[] run(String... args) {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int rc = Main.run(args);
            return new Object[] {rc, buf.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setErr(old);
        }
    }

    private static Path yamlWith(Path dir, String extra) throws IOException {
        Path y = dir.resolve("c.yml");
        Files.writeString(y, Files.readString(Path.of(CONFIG)) + "\n" + extra + "\n");
        return y;
    }

    private static void assertBadInput(Object[] r, String expected) {
        assertEquals(2, r[0], (String) r[1]);
        assertTrue(((String) r[1]).contains(expected), (String) r[1]);
    }

    @Test
    void configMistakesExit2NamingTheKey(@TempDir Path tmp) throws IOException {
        Path data = Files.createDirectories(tmp.resolve("data"));
        assertBadInput(run("train", "--config", yamlWith(tmp, "learning_rate: 0.1").toString(), "--data-root",
                data.toString()), "learning_rate");
        Files.writeString(tmp.resolve("c2.yml"), Files.readString(Path.of(CONFIG))
                .replace("lr: 0.001", "lr: 0.001\n   nesterv: True"));
        assertBadInput(run("train", "--config", tmp.resolve("c2.yml").toString(), "--data-root", data.toString()),
                "optimizer_kwargs.nesterv");
        Files.writeString(tmp.resolve("c3.yml"), Files.readString(Path.of(CONFIG)).replace("trBatch: 4", "trBatch: four"));
        assertBadInput(run("train", "--config", tmp.resolve("c3.yml").toString(), "--data-root", data.toString()),
                "trBatch");
        Files.writeString(tmp.resolve("c4.yml"), Files.readString(Path.of(CONFIG)).replace("sal: 5.0", "saliency: 5.0"));
        assertBadInput(run("train", "--config", tmp.resolve("c4.yml").toString(), "--data-root", data.toString()),
                "loss_kwargs.loss_weights.saliency");
        assertBadInput(run("train", "--config", CONFIG, "--data-root", tmp.resolve("nowhere").toString()),
                "nowhere");
        assertBadInput(run("train", "--config", CONFIG), "--data-root");
        assertBadInput(run("train", "--config", CONFIG, "--data-root", data.toString(), "--task-one-hot"),
                "--gate-task-specific-dim");
    }

    @Test
    void runsStopsResumesAndReportsDivergence(@TempDir Path tmp) throws IOException {
        Path data = tmp.resolve("data");
        Synthesizer.run(new Synthesizer.Options(Dataset.PASCAL, 6, 32, 32, 5, 0.34, 2), data, i -> { });
        Path run = tmp.resolve("run");
        String[] base = {"train", "--config", CONFIG, "--img-size", "32x32", "--data-root", data.toString(), "--save-dir",
            run.toString(), "--epochs", "2", "--tr-batch", "2", "--no-validate", "--threads", "1"};
        Object[] r = run(concat(base, "--stop-after", "1"));
        assertEquals(0, r[0], (String) r[1]);
        assertEquals(1, Checkpoint.readState(run.resolve(Checkpoint.JSON)).epoch);
        assertEquals(1, Files.readAllLines(run.resolve("metrics.jsonl")).size());

        r = run(concat(base, "--resume", run.toString(), "--lr", "1e30"));
        assertEquals(1, r[0], (String) r[1]);
        assertTrue(((String) r[1]).matches("(?s).*the (\\w+ loss|gradient norm) is .* at epoch 2 step \\d+.*"), (String) r[1]);
        assertEquals(1, Checkpoint.readState(run.resolve(Checkpoint.JSON)).epoch, "last good checkpoint kept");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
