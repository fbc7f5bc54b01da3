package org.m3vit.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.io.NpyArray;
import org.m3vit.io.NpyFiles;
import org.m3vit.serve.InferBody;

/** {@code m3vit serve} as a process: the same numbers as {@code m3vit predict}, and SIGTERM → graceful exit 0. */
class ServeCommandTest {

    private static final String CONFIG = "configs/synth/vit_moe/tiny_pascal.yml";
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;

    @Test
    void badFlagsExitWith2BeforeListening() throws Exception {
        Path w = dir.resolve("w.safetensors");
        assertEquals(0, Main.run("init-weights", "--config", CONFIG, "--out", w.toString()));
        String[][] cases = {
            {
                "does not exist",
                "serve",
                "--weights",
                dir.resolve("nope.safetensors").toString()
            },
            {"--config is given 2 times", "serve", "--weights", w.toString(), "--config", CONFIG, "--config", CONFIG},
            {"--name is given 2 times", "serve", "--weights", w.toString(), "--name", "a", "--name", "b"},
            {"not a usable model name", "serve", "--weights", w.toString(), "--name", "a/b"},
            {"--timeout: expected a duration", "serve", "--weights", w.toString(), "--timeout", "soon"},
            {"--max-batch must be between", "serve", "--weights", w.toString(), "--max-batch", "0"},
            {
                "carries no model config",
                "serve",
                "--weights",
                "src/test/resources/fixtures/multigate_weights.safetensors"
            },
        };
        for (String[] c : cases) {
            String[] args = java.util.Arrays.copyOfRange(c, 1, c.length);
            CliRun r = CliRun.of(args);
            assertEquals(2, r.exit, String.join(" ", args) + ": " + r.err);
            assertTrue(r.err.startsWith("m3vit serve: error: ") && r.err.contains(c[0]), r.err);
        }
    }

    /**
     * The process answers an infer request with {@code m3vit predict}'s numbers; then, with several requests
     * in flight, SIGTERM makes it answer all of them, stop, and exit with 0.
     */
    @Test
    void answersAsPredictDoesAndStopsGracefullyOnSigterm() throws Exception {
        Path w = dir.resolve("w.safetensors");
        assertEquals(0, Main.run("init-weights", "--config", CONFIG, "--out", w.toString(), "--seed", "5"));
        Random rnd = new Random(3);
        float[] x = new float[3 * 64 * 64];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        Path in = dir.resolve("x.npy");
        Path out = dir.resolve("y.npy");
        NpyFiles.writeFloat32(in, new int[] {1, 3, 64, 64}, x);
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
                        out.toString(),
                        "--threads",
                        "1"));
        NpyArray want = NpyFiles.read(out);

        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        "-Dai.djl.offline=true",
                        "-Djava.awt.headless=true",
                        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                        "org.m3vit.cli.Main",
                        "serve",
                        "--config",
                        CONFIG,
                        "--weights",
                        w.toString(),
                        "--name",
                        "tiny",
                        "--port",
                        "0",
                        "--max-batch",
                        "1",
                        "--threads",
                        "1")
                .redirectErrorStream(true)
                .start();
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null; ) {
                    lines.add(l);
                }
            } catch (java.io.IOException e) {
                lines.add("read failed: " + e);
            }
        });
        reader.start();
        try {
            URI base = null;
            List<String> seen = new ArrayList<>();
            while (true) {
                String l = lines.poll(60, TimeUnit.SECONDS);
                assertTrue(l != null, "no 'ready' within 60 s; output: " + seen);
                seen.add(l);
                Matcher m = Pattern.compile("listening on (http://\\S+)").matcher(l);
                if (m.find()) {
                    base = URI.create(m.group(1));
                }
                if (l.contains("m3vit serve: ready")) {
                    break;
                }
            }
            InferBody one = InferBody.fp32(new long[] {1, 3, 64, 64}, x, List.of("normals"), false, false);
            HttpResponse<byte[]> r = send(base, one).get(60, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), new String(r.body()));
            JsonNode data =
                    new ObjectMapper().readTree(r.body()).get("outputs").get(0).get("data");
            assertEquals(want.data().length, data.size());
            for (int i = 0; i < data.size(); i++) {
                assertEquals(want.data()[i], data.get(i).asDouble(), 1e-5, "value " + i);
            }

            // Eight-image requests over all tasks, one forward pass each: several are still queued at SIGTERM.
            float[] eight = new float[8 * x.length];
            for (int i = 0; i < 8; i++) {
                System.arraycopy(x, 0, eight, i * x.length, x.length);
            }
            InferBody big = InferBody.fp32(new long[] {8, 3, 64, 64}, eight, List.of(), false, true);
            List<CompletableFuture<HttpResponse<byte[]>>> inFlight = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                inFlight.add(send(base, big));
            }
            URI metrics = base.resolve("/metrics");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            double busy;
            while ((busy = inflight(metrics)) < 6 && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            assertTrue(busy >= 6, "six requests in flight before SIGTERM, saw " + busy);
            // Not p.destroy(): it sends SIGTERM but also closes the process's output, which is checked below.
            assertEquals(
                    0,
                    new ProcessBuilder("kill", "-TERM", Long.toString(p.pid()))
                            .start()
                            .waitFor());
            for (CompletableFuture<HttpResponse<byte[]>> f : inFlight) {
                HttpResponse<byte[]> a = f.get(60, TimeUnit.SECONDS);
                assertEquals(200, a.statusCode(), "a request in flight at SIGTERM is answered");
            }
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the server exits");
            assertEquals(0, p.exitValue(), "exit status after SIGTERM");
            reader.join(5000);
            String all = String.join("\n", lines);
            assertTrue(
                    all.contains("SIGTERM, finishing the requests in flight") && all.contains("m3vit serve: stopped"),
                    all);
        } finally {
            p.destroyForcibly();
        }
    }

    private static CompletableFuture<HttpResponse<byte[]>> send(URI base, InferBody body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve("/v2/models/tiny/infer"))
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.bytes()));
        body.headers().forEach(b::header);
        return HTTP.sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static double inflight(URI metrics) throws Exception {
        String text = HTTP.send(HttpRequest.newBuilder(metrics).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        for (String l : text.split("\n")) {
            if (l.startsWith("m3vit_requests_inflight ")) {
                return Double.parseDouble(l.substring(l.indexOf(' ') + 1));
            }
        }
        return 0;
    }
}
