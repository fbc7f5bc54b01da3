package org.m3vit.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.data.synth.Synthesizer;
import org.m3vit.io.SafetensorsFile;
import org.m3vit.task.DatasetLayout;
import org.m3vit.train.Checkpoint;
import org.m3vit.train.RunLayout;
import org.m3vit.train.StepCheckpointTestAccess;

/**
 * Issue 16: {@code m3vit train --checkpoint-every 1} in a child JVM (the test classpath) is killed with
 * SIGKILL at two random moments (each after the launch has saved a new checkpoint, so the kill hits training
 * rather than the JVM's start) and resumed each time; the final weights must be bit-identical to an
 * uninterrupted run's, and after every kill the checkpoint (if any yet) must be complete. The seed of the
 * moments is in the failure message. {@code scripts/kill9-trials.sh} runs many such trials on the packaged CLI.
 */
class Kill9Test {

    static final String CONFIG = "configs/synth/vit_moe/tiny_pascal.yml";

    @Test
    void killedTwiceAndResumedEqualsUninterrupted(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        Synthesizer.run(new Synthesizer.Options(DatasetLayout.PASCAL, 12, 32, 32, 3, 0.34, 2), data, i -> {});
        Path reference = tmp.resolve("reference");
        long t0 = System.nanoTime();
        Process p = start(data, reference, false, tmp.resolve("ref.log"));
        assertTrue(p.waitFor(240, TimeUnit.SECONDS), "reference run timed out");
        assertEquals(0, p.exitValue(), Files.readString(tmp.resolve("ref.log")));
        long duration = System.nanoTime() - t0;

        long seed = System.nanoTime();
        Random r = new Random(seed);
        Path run = tmp.resolve("killed");
        int kills = 0;
        int launches = 0;
        while (true) {
            boolean resume = Files.exists(new RunLayout(run).checkpointJson());
            Path log = tmp.resolve("launch" + launches++ + ".log");
            p = start(data, run, resume, log);
            if (kills < 2) {
                // a random moment after this launch has saved a new checkpoint: every kill hits training
                long before = globalStep(run);
                long deadline = System.nanoTime() + 2 * duration;
                while (p.isAlive() && globalStep(run) == before && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                long wait = (long) (800_000_000L * r.nextDouble());
                if (!p.waitFor(wait, TimeUnit.NANOSECONDS)) {
                    p.destroyForcibly(); // SIGKILL on Linux
                    p.waitFor(30, TimeUnit.SECONDS);
                    kills++;
                    checkConsistent(run, seed);
                    continue;
                }
            }
            assertTrue(p.waitFor(240, TimeUnit.SECONDS), "run timed out");
            assertEquals(0, p.exitValue(), "seed " + seed + ": " + Files.readString(log));
            break;
        }
        assertTrue(kills >= 1, "seed " + seed + ": no kill landed before the run finished");
        StepCheckpointTestAccess.assertSameWeights(weights(reference), weights(run), "seed " + seed);
    }

    /** The checkpoint's global step, or -1 while there is none (or it is being replaced). */
    static long globalStep(Path run) {
        try {
            return Checkpoint.readState(new RunLayout(run).checkpointJson()).globalStep;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static Path weights(Path run) throws IOException {
        return run.resolve(Checkpoint.readState(new RunLayout(run).checkpointJson()).weights);
    }

    /** After a kill: no checkpoint yet, or one whose files are all there and readable. */
    static void checkConsistent(Path run, long seed) throws IOException {
        Path json = new RunLayout(run).checkpointJson();
        if (!Files.exists(json)) {
            return;
        }
        Checkpoint.State s = Checkpoint.readState(json);
        assertTrue(Files.isRegularFile(run.resolve(s.weights)), "seed " + seed + ": " + s.weights);
        assertTrue(Files.isRegularFile(run.resolve(s.optimizer)), "seed " + seed + ": " + s.optimizer);
        SafetensorsFile.open(run.resolve(s.weights)).close();
        SafetensorsFile.open(run.resolve(s.optimizer)).close();
    }

    static Process start(Path data, Path run, boolean resume, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g",
                "-Dai.djl.offline=true",
                "-Djava.awt.headless=true",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp",
                System.getProperty("java.class.path"),
                "org.m3vit.cli.Main",
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
                "4",
                "--tr-batch",
                "2",
                "--seed",
                "7",
                "--no-validate",
                "--threads",
                "1",
                "--checkpoint-every",
                "1"));
        if (resume) {
            cmd.add("--resume");
            cmd.add(run.toString());
        }
        ProcessBuilder b = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        b.environment().put("TORCH_CPP_LOG_LEVEL", "ERROR");
        b.directory(new File(System.getProperty("user.dir")));
        return b.start();
    }
}
