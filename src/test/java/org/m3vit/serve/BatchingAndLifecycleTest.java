package org.m3vit.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.m3vit.serve.ServeTestSupport.HTTP;
import static org.m3vit.serve.ServeTestSupport.assertClose;
import static org.m3vit.serve.ServeTestSupport.eventually;
import static org.m3vit.serve.ServeTestSupport.get;
import static org.m3vit.serve.ServeTestSupport.metric;
import static org.m3vit.serve.ServeTestSupport.outputData;
import static org.m3vit.serve.ServeTestSupport.post;
import static org.m3vit.serve.ServeTestSupport.randomImage;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.m3vit.infer.ModelInput;
import org.m3vit.infer.Predictor;
import org.m3vit.task.Task;

/** Micro-batching, back-pressure, timeouts, readiness and graceful shutdown, observed over HTTP. */
class BatchingAndLifecycleTest {

    @TempDir
    static Path dir;

    static Path weights;
    InferenceServer server;

    @BeforeAll
    static void artifact() throws Exception {
        weights = ServeTestSupport.tinyArtifact(dir);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.shutdown();
        }
    }

    private URI start(ServerSettings s, ModelSpec spec) throws Exception {
        server = InferenceServer.start(s, List.of(spec));
        return server.uri();
    }

    private static ModelSpec real() {
        return ModelSpec.weights("tiny", weights, null);
    }

    private static InferBody normals(long seed) {
        return InferBody.fp32(new long[] {1, 3, 64, 64}, randomImage(seed), List.of("normals"), false, false);
    }

    private static CompletableFuture<HttpResponse<byte[]>> postAsync(URI base, InferBody body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve("/v2/models/tiny/infer"))
                .timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.bytes()));
        body.headers().forEach(b::header);
        return HTTP.sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /**
     * Four concurrent requests for one task run as one forward pass of four images: with a 5 s delay they
     * are answered at once only because the batch is full. Each answer is still its own image's.
     */
    @Test
    void concurrentRequestsForOneTaskShareAForwardPass() throws Exception {
        URI base = start(ServerSettings.defaults().withBatching(4, Duration.ofSeconds(5), 64), real());
        server.loaded().get();
        long t0 = System.nanoTime();
        List<CompletableFuture<HttpResponse<byte[]>>> answers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            answers.add(postAsync(base, normals(100 + i)));
        }
        try (Predictor p = Predictor.builder().weights(weights).build()) {
            for (int i = 0; i < 4; i++) {
                HttpResponse<byte[]> r = answers.get(i).get(30, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode(), new String(r.body()));
                float[] want = p.predict(ModelInput.normalised(randomImage(100 + i), 3, 64, 64), Task.NORMALS)
                        .floats();
                assertClose("request " + i, want, outputData(ServeTestSupport.json(r), "normals"), 1e-5);
            }
        }
        assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(4500), "a full batch runs at once");
        String labels = "{model=\"tiny\",task=\"normals\"}";
        assertEquals(1.0, metric(base, "m3vit_batch_size_count" + labels), "one forward pass");
        assertEquals(4.0, metric(base, "m3vit_batch_size_sum" + labels), "of four images");
        assertEquals(4.0, metric(base, "m3vit_requests_total{model=\"tiny\",status=\"200\",task=\"normals\"}"));
    }

    @Test
    void taskSwitchesAreCounted() throws Exception {
        URI base = start(ServerSettings.defaults().withBatching(4, Duration.ZERO, 64), real());
        server.loaded().get();
        for (String task : List.of("normals", "normals", "semseg", "normals")) {
            InferBody b = InferBody.fp32(new long[] {1, 3, 64, 64}, randomImage(7), List.of(task), false, false);
            assertEquals(200, post(base, "/v2/models/tiny/infer", b).statusCode());
        }
        assertEquals(2.0, metric(base, "m3vit_task_switches_total{model=\"tiny\"}"));
    }

    /** One request in a (held) forward pass, one waiting: the queue of one image is full, the next gets 503. */
    @Test
    void aFullQueueAnswers503WithRetryAfter() throws Exception {
        ServeTestSupport.GatedRunner[] gated = new ServeTestSupport.GatedRunner[1];
        ModelSpec spec = new ModelSpec(
                "tiny", () -> gated[0] = new ServeTestSupport.GatedRunner(PredictorRunner.load(weights, null)));
        URI base = start(ServerSettings.defaults().withBatching(1, Duration.ZERO, 1), spec);
        server.loaded().get();
        CompletableFuture<HttpResponse<byte[]>> first = postAsync(base, normals(1));
        assertTrue(gated[0].entered.tryAcquire(20, TimeUnit.SECONDS), "the first request reaches the model");
        CompletableFuture<HttpResponse<byte[]>> second = postAsync(base, normals(2));
        eventually("the second request waits in the queue", () -> metric(base, "m3vit_queue_depth") == 1.0);
        HttpResponse<byte[]> third = post(base, "/v2/models/tiny/infer", normals(3));
        assertEquals(null, BadRequestTest.check(third, 503, "queue is full"));
        assertEquals("1", third.headers().firstValue("Retry-After").orElse(null));
        gated[0].release.countDown();
        assertEquals(200, first.get(30, TimeUnit.SECONDS).statusCode());
        assertEquals(200, second.get(30, TimeUnit.SECONDS).statusCode());
    }

    @Test
    void aRequestThatWaitsTooLongGets504() throws Exception {
        ServeTestSupport.GatedRunner[] gated = new ServeTestSupport.GatedRunner[1];
        ModelSpec spec = new ModelSpec(
                "tiny", () -> gated[0] = new ServeTestSupport.GatedRunner(PredictorRunner.load(weights, null)));
        URI base = start(ServerSettings.defaults().withLimits(32 << 20, 8, 1_000_000, Duration.ofMillis(300)), spec);
        server.loaded().get();
        HttpResponse<byte[]> r = post(base, "/v2/models/tiny/infer", normals(1));
        assertEquals(null, BadRequestTest.check(r, 504, "request timeout of 300 ms"));
        gated[0].release.countDown();
        assertEquals(200, post(base, "/v2/models/tiny/infer", normals(2)).statusCode());
    }

    /** Until the weights are in memory: live, not ready, and inference is a 503 saying so. */
    @Test
    void readyOnlyOnceTheWeightsAreLoaded() throws Exception {
        CountDownLatch mayLoad = new CountDownLatch(1);
        ModelSpec spec = new ModelSpec("tiny", () -> {
            mayLoad.await();
            return PredictorRunner.load(weights, null);
        });
        URI base = start(ServerSettings.defaults(), spec);
        assertEquals(200, get(base, "/v2/health/live").statusCode());
        HttpResponse<byte[]> ready = get(base, "/v2/health/ready");
        assertEquals(503, ready.statusCode());
        assertEquals("{\"ready\":false}", new String(ready.body()));
        assertEquals(503, get(base, "/v2/models/tiny/ready").statusCode());
        HttpResponse<byte[]> early = post(base, "/v2/models/tiny/infer", normals(1));
        assertEquals(null, BadRequestTest.check(early, 503, "still loading"));
        assertEquals("1", early.headers().firstValue("Retry-After").orElse(null));
        mayLoad.countDown();
        server.loaded().get(30, TimeUnit.SECONDS);
        assertEquals(200, get(base, "/v2/health/ready").statusCode());
        assertEquals(200, post(base, "/v2/models/tiny/infer", normals(1)).statusCode());
    }

    @Test
    void aModelThatFailsToLoadIsNeverReady() throws Exception {
        URI base = start(ServerSettings.defaults(), new ModelSpec("tiny", () -> {
            throw new IOException("disk on fire");
        }));
        ExecutionException e =
                assertThrows(ExecutionException.class, () -> server.loaded().get(30, TimeUnit.SECONDS));
        assertTrue(e.getCause().getMessage().contains("disk on fire"));
        assertEquals(503, get(base, "/v2/health/ready").statusCode());
        assertEquals(
                null,
                BadRequestTest.check(
                        post(base, "/v2/models/tiny/infer", normals(1)), 503, "failed to load: disk on fire"));
    }

    /** Shutdown with a request in a held forward pass: no new requests, the one in flight is answered. */
    @Test
    void shutdownFinishesTheRequestsInFlight() throws Exception {
        ServeTestSupport.GatedRunner[] gated = new ServeTestSupport.GatedRunner[1];
        ModelSpec spec = new ModelSpec(
                "tiny", () -> gated[0] = new ServeTestSupport.GatedRunner(PredictorRunner.load(weights, null)));
        URI base = start(ServerSettings.defaults(), spec);
        server.loaded().get();
        CompletableFuture<HttpResponse<byte[]>> inFlight = postAsync(base, normals(1));
        assertTrue(gated[0].entered.tryAcquire(20, TimeUnit.SECONDS));
        Thread stopper = new Thread(server::shutdown);
        stopper.start();
        eventually("new requests are turned away", () -> {
            try {
                return post(base, "/v2/models/tiny/infer", normals(2)).statusCode() == 503;
            } catch (IOException refused) {
                return true;
            }
        });
        assertTrue(stopper.isAlive(), "shutdown waits for the request in flight");
        gated[0].release.countDown();
        HttpResponse<byte[]> r = inFlight.get(30, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode(), new String(r.body()));
        assertEquals(3 * 64 * 64, outputData(ServeTestSupport.json(r), "normals").length);
        stopper.join(30_000);
        assertTrue(!stopper.isAlive(), "shutdown returns once the request is answered");
        assertThrows(IOException.class, () -> get(base, "/v2/health/live"), "the port is closed");
    }
}
