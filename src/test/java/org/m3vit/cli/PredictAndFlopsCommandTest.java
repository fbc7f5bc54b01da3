package org.m3vit.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.config.ConfigLoader;
import org.m3vit.config.ModelConfig;
import org.m3vit.io.NpyArray;
import org.m3vit.io.NpyFiles;
import org.m3vit.model.ModelWeights;
import org.m3vit.model.MultiTaskModel;
import org.m3vit.task.Task;

/** End to end on the shipped tiny synthetic config: init-weights → predict (npy and image) → flops. */
class PredictAndFlopsCommandTest {

    private static final String CONFIG = "configs/synth/vit_moe/tiny_pascal.yml";

    @TempDir
    Path dir;

    @Test
    void predictNpyGivesTheHeadOutputAndImageGivesAPng() throws Exception {
        Path w = dir.resolve("w.safetensors");
        assertEquals(0, Main.run("init-weights", "--config", CONFIG, "--out", w.toString(), "--seed", "3"));
        Random r = new Random(1);
        float[] x = new float[2 * 3 * 64 * 64];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        Path in = dir.resolve("x.npy");
        Path out = dir.resolve("y.npy");
        NpyFiles.writeFloat32(in, new int[] {2, 3, 64, 64}, x);
        assertEquals(
                0,
                Main.run(
                        "predict",
                        "--config",
                        CONFIG,
                        "--weights",
                        w.toString(),
                        "--task",
                        "human_parts",
                        "--input",
                        in.toString(),
                        "--out",
                        out.toString(),
                        "--threads",
                        "1"));
        NpyArray y = NpyFiles.read(out);
        assertArrayEquals(new int[] {2, 7, 64, 64}, y.shape());

        // Same numbers as the model API on the same weights (batch of two, pathway of human_parts).
        ModelConfig c = ConfigLoader.load(Path.of(CONFIG));
        try (NDManager m = NDManager.newBaseManager()) {
            MultiTaskModel model = new MultiTaskModel(c).initialize(m);
            ModelWeights.load(model, w);
            float[] want = model.forward(
                            new ParameterStore(m, false), m.create(x, new Shape(2, 3, 64, 64)), Task.HUMAN_PARTS, false)
                    .prediction()
                    .toFloatArray();
            assertArrayEquals(want, y.data(), 1e-5f);
        }

        BufferedImage img = new BufferedImage(50, 30, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < 50; i++) {
            img.setRGB(i, i % 30, 0xff8040);
        }
        Path png = dir.resolve("in.png");
        ImageIO.write(img, "png", png.toFile());
        for (String task : new String[] {"semseg", "normals", "edge"}) {
            Path o = dir.resolve(task + ".png");
            assertEquals(
                    0,
                    Main.run(
                            "predict",
                            "--config",
                            CONFIG,
                            "--weights",
                            w.toString(),
                            "--task",
                            task,
                            "--image",
                            png.toString(),
                            "--out",
                            o.toString()));
            BufferedImage res = ImageIO.read(o.toFile());
            assertEquals(50, res.getWidth());
            assertEquals(30, res.getHeight());
        }
    }

    @Test
    void badInputExitsWithTwoAndAMessage() throws Exception {
        Path w = dir.resolve("w.safetensors");
        assertEquals(0, Main.run("init-weights", "--config", CONFIG, "--out", w.toString()));
        Path in = dir.resolve("x.npy");
        NpyFiles.writeFloat32(in, new int[] {1, 3, 32, 32}, new float[3 * 32 * 32]);
        String err = runErr(
                "predict",
                "--config",
                CONFIG,
                "--weights",
                w.toString(),
                "--task",
                "sal",
                "--input",
                in.toString(),
                "--out",
                dir.resolve("y.npy").toString());
        assertTrue(err.contains("expected shape (N, 3, 64, 64)"), err);
        err = runErr(
                "predict",
                "--config",
                CONFIG,
                "--weights",
                w.toString(),
                "--task",
                "depth",
                "--input",
                in.toString(),
                "--out",
                dir.resolve("y.npy").toString());
        assertTrue(err.contains("'depth' is not enabled"), err);
        Path bad = Files.write(dir.resolve("bad.safetensors"), new byte[] {1, 2, 3});
        NpyFiles.writeFloat32(in, new int[] {1, 3, 64, 64}, new float[3 * 64 * 64]);
        err = runErr(
                "predict",
                "--config",
                CONFIG,
                "--weights",
                bad.toString(),
                "--task",
                "sal",
                "--input",
                in.toString(),
                "--out",
                dir.resolve("y.npy").toString());
        assertTrue(err.contains("truncated"), err);
        Path corrupt = Files.write(dir.resolve("broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2});
        err = runErr(
                "predict",
                "--config",
                CONFIG,
                "--weights",
                w.toString(),
                "--task",
                "sal",
                "--image",
                corrupt.toString(),
                "--out",
                dir.resolve("o.png").toString());
        assertTrue(err.contains("broken.png"), err);
        err = runErr(
                "predict",
                "--config",
                CONFIG,
                "--weights",
                w.toString(),
                "--task",
                "sal",
                "--image",
                corrupt.toString(),
                "--out",
                dir.resolve("o.jpg").toString());
        assertTrue(err.contains(".png"), err);
        err = runErr(
                "predict",
                "--config",
                CONFIG,
                "--weights",
                w.toString(),
                "--task",
                "sal",
                "--input",
                in.toString(),
                "--out",
                dir.resolve("y.npy").toString(),
                "--head-channels",
                "16");
        assertTrue(err.contains("head_kwargs.channels: the config given says 16") && err.contains("saved with 8"), err);
        // a reference-format file (no stored config) is checked tensor by tensor against the config
        Path ref = dir.resolve("ref.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            MultiTaskModel model = new MultiTaskModel(ConfigLoader.load(Path.of(CONFIG))).initialize(m);
            ModelWeights.save(model, ref, Map.of());
        }
        err = runErr(
                "predict",
                "--config",
                CONFIG,
                "--weights",
                ref.toString(),
                "--task",
                "sal",
                "--input",
                in.toString(),
                "--out",
                dir.resolve("y.npy").toString(),
                "--head-channels",
                "16");
        assertTrue(
                err.contains("decoders.semseg.conv_0.weight: expected (16, 32, 3, 3), file has (8, 32, 3, 3)")
                        && err.contains("wrong shape or dtype (125)"),
                err);
        err = runErr(
                "predict",
                "--weights",
                ref.toString(),
                "--task",
                "sal",
                "--input",
                in.toString(),
                "--out",
                dir.resolve("y.npy").toString());
        assertTrue(err.contains("carries no model config"), err);
    }

    /** The acceptance: an init-weights artifact predicts without --config, identically to with it. */
    @Test
    void predictWithoutConfigEqualsPredictWithIt() throws Exception {
        Path w = dir.resolve("w.safetensors");
        assertEquals(0, Main.run("init-weights", "--config", CONFIG, "--out", w.toString()));
        Random r = new Random(2);
        float[] x = new float[3 * 64 * 64];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        Path in = dir.resolve("x.npy");
        NpyFiles.writeFloat32(in, new int[] {1, 3, 64, 64}, x);
        Path a = dir.resolve("a.npy");
        Path b = dir.resolve("b.npy");
        assertEquals(
                0,
                Main.run(
                        "predict",
                        "--weights",
                        w.toString(),
                        "--task",
                        "normals",
                        "--input",
                        in.toString(),
                        "--out",
                        a.toString()));
        assertEquals(
                0,
                Main.run(
                        "predict",
                        "--config",
                        CONFIG,
                        "--weights",
                        w.toString(),
                        "--task",
                        "normals",
                        "--input",
                        in.toString(),
                        "--out",
                        b.toString()));
        assertArrayEquals(Files.readAllBytes(b), Files.readAllBytes(a));
        assertArrayEquals(new int[] {1, 3, 64, 64}, NpyFiles.read(a).shape());
    }

    @Test
    void flopsPrintsTableAndJson() throws Exception {
        CliRun table = CliRun.of("flops", "--config", CONFIG, "--moe-top-k", "1");
        CliRun json = CliRun.of("flops", "--config", CONFIG, "--json");
        assertEquals(0, table.exit, table.err);
        assertEquals(0, json.exit, json.err);
        String s = table.out + json.out;
        assertTrue(s.contains("pathway semseg") && s.contains("all 5 tasks") && s.contains("dense all 5 tasks"), s);
        assertTrue(s.contains("k=1"), s);
        assertTrue(s.contains("\"active_params\""), s);
    }

    /** Runs a command that must fail with exit 2; returns its stderr. */
    private static String runErr(String... args) {
        CliRun r = CliRun.of(args);
        assertEquals(2, r.exit, r.err);
        return r.err;
    }
}
