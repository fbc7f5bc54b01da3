package org.m3vit.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.cli.CliRun;
import org.m3vit.data.synth.Synthesizer;
import org.m3vit.task.DatasetLayout;

/** {@code m3vit train}: configuration mistakes exit 2 naming the key; a diverging run exits 1. */
class TrainCommandTest {

    static final String CONFIG = "configs/synth/vit_moe/tiny_pascal.yml";

    private static Path yamlWith(Path dir, String extra) throws IOException {
        Path y = dir.resolve("c.yml");
        Files.writeString(y, Files.readString(Path.of(CONFIG)) + "\n" + extra + "\n");
        return y;
    }

    private static void assertBadInput(CliRun r, String expected) {
        assertEquals(2, r.exit, r.err);
        assertTrue(r.err.contains(expected), r.err);
    }

    @Test
    void configMistakesExit2NamingTheKey(@TempDir Path tmp) throws IOException {
        Path data = Files.createDirectories(tmp.resolve("data"));
        assertBadInput(
                CliRun.of(
                        "train",
                        "--config",
                        yamlWith(tmp, "learning_rate: 0.1").toString(),
                        "--data-root",
                        data.toString()),
                "learning_rate");
        Files.writeString(
                tmp.resolve("c2.yml"),
                Files.readString(Path.of(CONFIG)).replace("lr: 0.001", "lr: 0.001\n   nesterv: True"));
        assertBadInput(
                CliRun.of("train", "--config", tmp.resolve("c2.yml").toString(), "--data-root", data.toString()),
                "optimizer_kwargs.nesterv");
        Files.writeString(
                tmp.resolve("c3.yml"), Files.readString(Path.of(CONFIG)).replace("trBatch: 4", "trBatch: four"));
        assertBadInput(
                CliRun.of("train", "--config", tmp.resolve("c3.yml").toString(), "--data-root", data.toString()),
                "trBatch");
        Files.writeString(
                tmp.resolve("c4.yml"), Files.readString(Path.of(CONFIG)).replace("sal: 5.0", "saliency: 5.0"));
        assertBadInput(
                CliRun.of("train", "--config", tmp.resolve("c4.yml").toString(), "--data-root", data.toString()),
                "loss_kwargs.loss_weights.saliency");
        assertBadInput(
                CliRun.of(
                        "train",
                        "--config",
                        CONFIG,
                        "--data-root",
                        tmp.resolve("nowhere").toString()),
                "nowhere");
        assertBadInput(CliRun.of("train", "--config", CONFIG), "--data-root");
        assertBadInput(
                CliRun.of("train", "--config", CONFIG, "--data-root", data.toString(), "--task-one-hot"),
                "--gate-task-specific-dim");
    }

    @Test
    void runsStopsResumesAndReportsDivergence(@TempDir Path tmp) throws IOException {
        Path data = tmp.resolve("data");
        Synthesizer.run(new Synthesizer.Options(DatasetLayout.PASCAL, 6, 32, 32, 5, 0.34, 2), data, i -> {});
        Path run = tmp.resolve("run");
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
            "2",
            "--no-validate",
            "--threads",
            "1"
        };
        CliRun r = CliRun.of(concat(base, "--stop-after", "1"));
        assertEquals(0, r.exit, r.err);
        assertEquals(1, Checkpoint.readState(new RunLayout(run).checkpointJson()).epoch);
        assertEquals(1, Files.readAllLines(run.resolve("metrics.jsonl")).size());

        r = CliRun.of(concat(base, "--resume", run.toString(), "--lr", "1e30"));
        assertEquals(1, r.exit, r.err);
        assertTrue(r.err.matches("(?s).*the (\\w+ loss|gradient norm) is .* at epoch 2 step \\d+.*"), r.err);
        assertEquals(1, Checkpoint.readState(new RunLayout(run).checkpointJson()).epoch, "last good checkpoint kept");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
