package org.m3vit.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.m3vit.config.ConfigLoader;
import org.m3vit.config.ModelConfig;
import org.m3vit.infer.ModelArtifact;
import org.m3vit.infer.ModelInput;
import org.m3vit.infer.Preprocessing;
import org.m3vit.infer.Provenance;
import org.m3vit.io.Tensor;
import org.m3vit.model.MultiTaskModel;
import org.m3vit.task.Task;

/** A tiny served model, an HTTP client, and a runner that can hold forward passes. */
final class ServeTestSupport {

    static final Path TINY = Path.of("configs/synth/vit_moe/tiny_pascal.yml");
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private ServeTestSupport() {}

    static ModelConfig tinyConfig() throws IOException {
        return ConfigLoader.load(TINY);
    }

    /** A freshly initialised tiny artifact (64x64, the five PASCAL tasks, MoE blocks 1 and 3). */
    static Path tinyArtifact(Path dir) throws IOException {
        Path file = dir.resolve("tiny.safetensors");
        Engine.getInstance().setRandomSeed(11);
        try (NDManager m = NDManager.newBaseManager()) {
            ModelArtifact.save(
                    new MultiTaskModel(tinyConfig()).initialize(m), file, Provenance.of(Map.of("seed", "11")));
        }
        return file;
    }

    static float[] randomImage(long seed) {
        Random r = new Random(seed);
        float[] x = new float[3 * 64 * 64];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    static HttpResponse<byte[]> get(URI base, String path) throws IOException, InterruptedException {
        return HTTP.send(
                HttpRequest.newBuilder(base.resolve(path))
                        .timeout(Duration.ofSeconds(60))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    static HttpResponse<byte[]> post(URI base, String path, byte[] body, Map<String, String> headers)
            throws IOException, InterruptedException {
        // A large upload asks first (Expect: 100-continue), as curl does above 1 MiB: the server's early 413
        // for an oversized body then arrives before the body is sent. Without it the client may still be
        // writing when the server closes the connection, and reads no response at all (a flaky failure).
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(60))
                .expectContinue(body.length > (1 << 20))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static HttpResponse<byte[]> post(URI base, String path, InferBody body) throws IOException, InterruptedException {
        return post(base, path, body.bytes(), body.headers());
    }

    static HttpResponse<byte[]> postJson(URI base, String path, String json) throws IOException, InterruptedException {
        return post(
                base,
                path,
                json.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                Map.of("Content-Type", "application/json"));
    }

    static JsonNode json(HttpResponse<byte[]> r) throws IOException {
        return JSON.readTree(r.body());
    }

    /** The FP32 data of output {@code name} of a JSON response. */
    static float[] outputData(JsonNode response, String name) {
        for (JsonNode o : response.get("outputs")) {
            if (o.get("name").asText().equals(name)) {
                JsonNode d = o.get("data");
                float[] v = new float[d.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) d.get(i).asDouble();
                }
                return v;
            }
        }
        throw new AssertionError(
                "no output " + name + " in " + response.toString().substring(0, 200));
    }

    static void assertClose(String what, float[] want, float[] got, double tol) {
        assertEquals(want.length, got.length, what + ": length");
        double worst = 0;
        for (int i = 0; i < want.length; i++) {
            worst = Math.max(worst, Math.abs(want[i] - got[i]));
        }
        assertTrue(worst <= tol, what + ": max |diff| " + worst + " > " + tol);
    }

    /** Polls until {@code check} holds (10 s at most). */
    static void eventually(String what, Check check) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!check.holds()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(20);
        }
    }

    interface Check {
        boolean holds() throws Exception;
    }

    /** A metric's value from a Prometheus text exposition; the line must match {@code prefix} exactly. */
    static double metric(URI base, String prefix) throws Exception {
        String text = new String(get(base, "/metrics").body(), java.nio.charset.StandardCharsets.UTF_8);
        for (String line : text.split("\n")) {
            if (line.startsWith(prefix + " ")) {
                return Double.parseDouble(line.substring(prefix.length() + 1).trim());
            }
        }
        return Double.NaN;
    }

    /**
     * Delegates to a real runner, but every forward pass first signals {@link #entered} and waits for
     * {@link #release}: tests use it to have requests provably in flight.
     */
    static final class GatedRunner implements ModelRunner {
        final ModelRunner inner;
        final CountDownLatch release = new CountDownLatch(1);
        final java.util.concurrent.Semaphore entered = new java.util.concurrent.Semaphore(0);

        GatedRunner(ModelRunner inner) {
            this.inner = inner;
        }

        private void gate() {
            entered.release();
            try {
                if (!release.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test never released the gate");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        @Override
        public ModelConfig config() {
            return inner.config();
        }

        @Override
        public Preprocessing preprocessing() {
            return inner.preprocessing();
        }

        @Override
        public Tensor run(List<ModelInput> inputs, Task task) {
            gate();
            return inner.run(inputs, task);
        }

        @Override
        public Map<Task, Tensor> runAll(List<ModelInput> inputs) {
            gate();
            return inner.runAll(inputs);
        }

        @Override
        public long expertBytes() {
            return inner.expertBytes();
        }

        @Override
        public void close() {
            inner.close();
        }
    }
}
