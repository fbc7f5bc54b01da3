package org.m3vit.serve;

import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.m3vit.infer.ModelArtifact;

/**
 * An HTTP inference server speaking the Open Inference Protocol (KServe v2 REST) with the binary tensor
 * extension, on Javalin (Jetty 12):
 *
 * <pre>
 * GET  /v2/health/live              {"live": true}
 * GET  /v2/health/ready             {"ready": b}; 503 until every model's weights are loaded
 * GET  /v2                          server metadata (extensions: binary_tensor_data)
 * GET  /v2/models                   m3vit: the served models, their tasks and readiness
 * GET  /v2/models/{m}               model metadata; {m} may be {model}-{task}
 * GET  /v2/models/{m}/ready         {"name": m, "ready": b}
 * POST /v2/models/{m}/infer         inference
 * GET  /metrics                     Prometheus text
 * GET  /                            the web page
 * </pre>
 *
 * It listens at once and loads the weights in the background. {@link #shutdown} is graceful: it stops
 * accepting, lets the requests in flight finish, then frees the models.
 */
public final class InferenceServer implements AutoCloseable {

    public static final String BINARY_EXTENSION = "binary_tensor_data";
    static final String JSON_LENGTH_HEADER = "Inference-Header-Content-Length";
    /** The metrics' status for an answer the client did not stay to read (nginx's convention). */
    static final int CLIENT_GONE = 499;

    private final ServerSettings settings;
    private final ModelRegistry registry;
    private final ServerMetrics metrics = new ServerMetrics();
    private final MicroBatcher batcher;
    private final InferenceService service;
    private final AtomicInteger inflight = new AtomicInteger();
    private final byte[] page;
    private final Javalin app;
    private volatile boolean draining;
    private boolean stopped;

    private InferenceServer(ServerSettings settings, List<ModelSpec> models) {
        this.settings = settings;
        this.registry = new ModelRegistry(models);
        this.batcher = new MicroBatcher(settings, metrics);
        this.service = new InferenceService(registry, batcher, settings);
        this.page = resource("index.html");
        metrics.inflight(inflight::get);
        this.app = Javalin.create(cfg -> {
            cfg.startup.showJavalinBanner = false;
            cfg.startup.showOldJavalinVersionWarning = false;
            cfg.http.maxRequestSize = settings.maxBodyBytes();
            cfg.http.prefer405over404 = true;
            cfg.jetty.host = settings.host();
            cfg.jetty.port = settings.port();
            // Graceful stop: connectors stop accepting, then Jetty waits for the requests in flight.
            cfg.jetty.modifyServer(server -> {
                server.setHandler(new GracefulHandler());
                server.setStopTimeout(settings.requestTimeout().toMillis() + 5000);
            });
            cfg.routes.get(
                    "/", ctx -> ctx.contentType("text/html; charset=utf-8").result(page));
            cfg.routes.get("/v2/health/live", ctx -> json(ctx, 200, Map.of("live", true)));
            cfg.routes.get("/v2/health/ready", ctx -> {
                boolean r = ready();
                readiness(ctx, r, Map.of("ready", r));
            });
            cfg.routes.get("/v2", ctx -> json(ctx, 200, serverMetadata()));
            cfg.routes.get("/v2/models", ctx -> json(ctx, 200, modelList()));
            cfg.routes.get("/v2/models/{model}", this::modelMetadata);
            cfg.routes.get("/v2/models/{model}/ready", this::modelReady);
            cfg.routes.post("/v2/models/{model}/infer", this::infer);
            cfg.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                    .result(metrics.scrape()));
            cfg.routes.exception(Exception.class, (e, ctx) -> HttpErrors.answer(ctx, e));
            // Javalin's own answers (no route, wrong method) come as text; every error here is JSON.
            cfg.routes.error(404, ctx -> jsonError(ctx, 404, "no such endpoint: " + ctx.method() + " " + ctx.path()));
            cfg.routes.error(
                    405, ctx -> jsonError(ctx, 405, "method " + ctx.method() + " is not allowed on " + ctx.path()));
        });
    }

    /** Binds the port and starts loading the models in the background. */
    public static InferenceServer start(ServerSettings settings, List<ModelSpec> models) {
        InferenceServer s = new InferenceServer(settings, models);
        try {
            s.app.start();
        } catch (RuntimeException e) { // the port is taken, or the host is not an address of this machine
            try {
                s.batcher.shutdown(1000);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            throw e;
        }
        s.registry.loadAll(m -> s.metrics.expertBytesLoaded(m.name(), m.runner().expertBytes()));
        return s;
    }

    public int port() {
        return app.port();
    }

    public URI uri() {
        String host = settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host();
        return URI.create("http://" + host + ":" + port());
    }

    /** Completes once every model is loaded; exceptionally with the first failure. */
    public CompletableFuture<Void> loaded() {
        return registry.loaded();
    }

    /** True when every model is loaded and the server is not shutting down. */
    public boolean ready() {
        return !draining && registry.ready();
    }

    /**
     * Graceful stop: readiness and new inference requests turn to 503, the listener closes, the requests in
     * flight finish (up to the request timeout), then the batcher stops and the models are freed.
     */
    public synchronized void shutdown() {
        if (stopped) {
            return;
        }
        stopped = true;
        draining = true;
        app.stop();
        try {
            batcher.shutdown(settings.requestTimeout().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        registry.close();
        metrics.close();
    }

    @Override
    public void close() {
        shutdown();
    }

    private void infer(Context ctx) {
        long arrival = System.nanoTime();
        InferenceService.Labels labels = new InferenceService.Labels();
        inflight.incrementAndGet();
        int status;
        try {
            if (draining) {
                throw ServeException.unavailable("the server is shutting down", 1);
            }
            InputStream body = ctx.req().getInputStream();
            InferResponseWriter.Encoded answer = service.infer(
                    ctx.pathParam("model"),
                    body,
                    ctx.req().getContentLengthLong(),
                    ctx.header(JSON_LENGTH_HEADER),
                    arrival,
                    labels);
            ctx.status(200).contentType(answer.contentType());
            if (answer.jsonLength() >= 0) {
                ctx.header(JSON_LENGTH_HEADER, Integer.toString(answer.jsonLength()));
            }
            status = 200;
            try {
                answer.writeTo(ctx.outputStream());
            } catch (IOException gone) { // the client went away mid-answer; nothing more can be said to it
                status = CLIENT_GONE;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = HttpErrors.answer(ctx, ServeException.unavailable("interrupted", 1));
        } catch (Exception | Error e) {
            status = HttpErrors.answer(ctx, e);
        } finally {
            inflight.decrementAndGet();
        }
        metrics.request(labels.model, labels.task, status, System.nanoTime() - arrival);
    }

    private void modelMetadata(Context ctx) {
        ModelRegistry.Target t = registry.resolve(ctx.pathParam("model"));
        json(ctx, 200, ModelMetadata.of(t.requestedName(), t.model(), t.task(), settings));
    }

    private void modelReady(Context ctx) {
        ModelRegistry.Target t = registry.resolve(ctx.pathParam("model"));
        boolean r = !draining && t.model().ready();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", t.requestedName());
        body.put("ready", r);
        readiness(ctx, r, body);
    }

    private static void readiness(Context ctx, boolean ready, Map<String, Object> body) {
        json(ctx, ready ? 200 : 503, body);
    }

    private Map<String, Object> serverMetadata() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "m3vit");
        m.put("version", ModelArtifact.version());
        m.put("extensions", List.of(BINARY_EXTENSION));
        return m;
    }

    private Map<String, Object> modelList() {
        List<Object> models = new ArrayList<>();
        for (ServedModel m : registry.all()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", m.name());
            e.put("ready", m.ready());
            e.put("tasks", m.ready() ? ModelRegistry.ids(m.tasks()) : List.of());
            models.add(e);
        }
        return Map.of("models", models);
    }

    private static byte[] resource(String name) {
        try (InputStream in = InferenceServer.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource org/m3vit/serve/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void jsonError(Context ctx, int status, String message) {
        String body = ctx.result();
        if (body == null || !body.startsWith("{")) {
            HttpErrors.write(ctx, status, message);
        }
    }

    private static void json(Context ctx, int status, Object body) {
        try {
            ctx.status(status).contentType("application/json").result(Json.MAPPER.writeValueAsBytes(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
