package org.m3vit.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.m3vit.cli.Main;
import org.m3vit.io.NpyFiles;

/** Tiny models and inputs for the spark tests, made with the core's own commands. */
final class Fixtures {

    static final String CONFIG = "configs/synth/vit_moe/tiny_pascal.yml";
    static final int SIZE = 64;

    private Fixtures() {}

    /** A freshly initialised tiny PASCAL model (an artifact: it carries its config). */
    static Path weights(Path dir, String name) {
        Path w = dir.resolve(name);
        assertEquals(0, Main.run("init-weights", "--config", CONFIG, "--seed", "7", "--out", w.toString()));
        return w;
    }

    /** A random normalised image as .npy, shaped (3, H, W) or, with {@code batched}, (1, 3, H, W). */
    static Path npy(Path file, long seed, boolean batched) throws IOException {
        Random r = new Random(seed);
        float[] x = new float[3 * SIZE * SIZE];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        Files.createDirectories(file.getParent());
        int[] shape = batched ? new int[] {1, 3, SIZE, SIZE} : new int[] {3, SIZE, SIZE};
        NpyFiles.writeFloat32(file, shape, x);
        return file;
    }

    /** The same image as (1, 3, H, W), the shape single-process predict takes. */
    static Path asBatch(Path npy, Path out) throws IOException {
        float[] x = NpyFiles.read(npy).data();
        NpyFiles.writeFloat32(out, new int[] {1, 3, SIZE, SIZE}, x);
        return out;
    }
}
