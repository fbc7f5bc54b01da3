package org.m3vit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.io.ImageFiles;
import org.m3vit.io.NpyFiles;
import org.m3vit.serve.InferenceServer;
import org.m3vit.serve.ModelSpec;
import org.m3vit.serve.ServerSettings;

/** {@code m3vit loadtest} against a real server in this JVM, and its refusal of other hosts. */
class LoadtestCommandTest {

    private static final String CONFIG = "configs/synth/vit_moe/tiny_pascal.yml";

    @TempDir
    Path dir;

    @Test
    void aShortRunCountsAnswersAndLatencies() throws Exception {
        Path w = dir.resolve("w.safetensors");
        assertEquals(0, Main.run("init-weights", "--config", CONFIG, "--out", w.toString()));
        Path x = dir.resolve("x.npy");
        NpyFiles.writeFloat32(x, new int[] {1, 3, 64, 64}, new float[3 * 64 * 64]);
        Path png = dir.resolve("in.png");
        java.nio.file.Files.write(png, ImageFiles.rgbPng(20, 30, new byte[20 * 30 * 3]));
        try (InferenceServer server =
                InferenceServer.start(ServerSettings.defaults(), List.of(ModelSpec.weights("tiny", w, null)))) {
            server.loaded().get();
            String url = server.uri().toString();
            // Warm the engine up, so that the two seconds below measure serving, not the first forward pass.
            assertEquals(
                    0,
                    CliRun.of(
                                    "loadtest",
                                    "--url",
                                    url,
                                    "--model",
                                    "tiny",
                                    "--clients",
                                    "1",
                                    "--duration",
                                    "1s",
                                    "--input",
                                    x.toString())
                            .exit);
            CliRun r = CliRun.of(
                    "loadtest",
                    "--url",
                    url,
                    "--model",
                    "tiny",
                    "--task",
                    "normals,sal",
                    "--clients",
                    "4",
                    "--duration",
                    "2s",
                    "--input",
                    x.toString());
            assertEquals(0, r.exit, r.err);
            Matcher m = Pattern.compile("requests   (\\d+) in").matcher(r.out);
            assertTrue(m.find(), r.out);
            assertTrue(Long.parseLong(m.group(1)) >= 4, "every client got answers: " + r.out);
            assertTrue(r.out.contains("errors     0") && r.out.contains("200: " + m.group(1)), r.out);
            assertTrue(r.out.matches("(?s).*p50 [\\d.]+ ms, p95 [\\d.]+ ms, p99 [\\d.]+ ms.*"), r.out);

            CliRun img = CliRun.of(
                    "loadtest",
                    "--url",
                    url,
                    "--model",
                    "tiny-edge",
                    "--clients",
                    "2",
                    "--duration",
                    "1s",
                    "--image",
                    png.toString(),
                    "--binary",
                    "--png",
                    "--json");
            assertEquals(0, img.exit, img.err);
            assertTrue(img.out.contains("\"errors\":0") && img.out.contains("\"by_status\":{\"200\":"), img.out);

            CliRun wrong = CliRun.of(
                    "loadtest",
                    "--url",
                    url,
                    "--model",
                    "nope",
                    "--clients",
                    "1",
                    "--duration",
                    "1s",
                    "--input",
                    x.toString());
            assertEquals(0, wrong.exit, wrong.err);
            assertTrue(wrong.out.contains("404: ") && !wrong.out.contains("errors     0"), wrong.out);
        }
    }

    @Test
    void otherHostsAreRefused() {
        for (String url : new String[] {"http://10.0.0.8:8000", "http://example.org:8000", "http://192.168.0.2:80"}) {
            CliRun r = CliRun.of("loadtest", "--url", url, "--model", "tiny", "--input", "x.npy");
            assertEquals(2, r.exit, r.err);
            assertTrue(r.err.contains("is not a loopback address"), r.err);
        }
    }
}
