package org.m3vit.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.m3vit.config.ConfigLoader;
import org.m3vit.config.ModelConfig;
import org.m3vit.infer.ModelArtifact;
import org.m3vit.serve.InferenceServer;
import org.m3vit.serve.ModelSpec;
import org.m3vit.serve.ServerSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code m3vit serve}: an Open Inference Protocol (KServe v2) HTTP server over one or more model artifacts. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        description = "Serve models over HTTP with the Open Inference Protocol (KServe v2 REST, binary tensor"
                + " extension): health, metadata and infer endpoints under /v2, Prometheus metrics at /metrics and a"
                + " web page at /. Requests for the same model and task are micro-batched. SIGTERM stops"
                + " gracefully: no new requests, the ones in flight finish, exit 0.")
final class ServeCommand implements Callable<Integer> {

    @Option(
            names = "--weights",
            required = true,
            paramLabel = "W.safetensors",
            description = "A model to serve (repeatable): an m3vit artifact, or reference state-dict names with"
                    + " --config.")
    List<Path> weights;

    @Option(
            names = "--name",
            paramLabel = "NAME",
            description = "The model's name in /v2/models/NAME, one per"
                    + " --weights in order (default: the file name without extension).")
    List<String> names = new ArrayList<>();

    @Option(
            names = "--config",
            paramLabel = "C.yml",
            description = "Experiment YAML for reference-format weights:"
                    + " one for all --weights, or one per --weights in order. An artifact needs none (if given, it must"
                    + " agree).")
    List<Path> configs = new ArrayList<>();

    @Option(
            names = "--host",
            defaultValue = "127.0.0.1",
            description = "Address to bind (default: ${DEFAULT-VALUE};" + " 0.0.0.0 for every interface).")
    String host;

    @Option(
            names = "--port",
            defaultValue = "8000",
            description = "TCP port; 0 picks a free one (default:" + " ${DEFAULT-VALUE}).")
    int port;

    @Option(
            names = "--max-batch",
            defaultValue = "8",
            description = "Images per forward pass (default:" + " ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(
            names = "--max-delay-ms",
            defaultValue = "5",
            description = "How long a request may wait for others to" + " batch with (default: ${DEFAULT-VALUE}).")
    int maxDelayMs;

    @Option(
            names = "--queue",
            defaultValue = "256",
            description = "Images that may wait for a forward pass; past"
                    + " that, 503 with Retry-After (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(
            names = "--timeout",
            defaultValue = "30s",
            description = "Per-request timeout, answered with 504" + " (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(
            names = "--max-body-mb",
            defaultValue = "32",
            description = "Request body limit in MiB, answered with" + " 413 (default: ${DEFAULT-VALUE}).")
    int maxBodyMb;

    @Option(
            names = "--max-request-images",
            defaultValue = "32",
            description = "Images in one request (default:" + " ${DEFAULT-VALUE}).")
    int maxRequestImages;

    @Option(
            names = "--max-image-pixels",
            defaultValue = "40000000",
            description = "Pixels of one uploaded image," + " checked before decoding (default: ${DEFAULT-VALUE}).")
    long maxImagePixels;

    @Option(
            names = "--workers",
            defaultValue = "1",
            description = "Threads running forward passes; the engine's"
                    + " --threads come on top (default: ${DEFAULT-VALUE}).")
    int workers;

    @Mixin
    ThreadsOption threadsOption;

    @Override
    public Integer call() throws Exception {
        ServerSettings settings = settings();
        threadsOption.apply();
        List<ModelSpec> specs = specs();
        StopSignals signals = StopSignals.install();
        InferenceServer server = InferenceServer.start(settings, specs);
        try {
            System.out.println("m3vit serve: listening on " + server.uri() + " (models: "
                    + String.join(", ", specs.stream().map(ModelSpec::name).toList()) + "); loading weights");
            boolean readyShown = false;
            while (!signals.await(100)) {
                if (!readyShown && server.loaded().isDone()) {
                    try {
                        server.loaded().get();
                    } catch (ExecutionException e) {
                        throw e.getCause() instanceof Exception ex ? ex : e;
                    }
                    System.out.println("m3vit serve: ready");
                    readyShown = true;
                }
            }
            System.out.println("m3vit serve: " + signals.received() + ", finishing the requests in flight");
        } finally {
            server.shutdown();
        }
        System.out.println("m3vit serve: stopped");
        return 0;
    }

    private ServerSettings settings() {
        Duration t = Durations.parse("--timeout", timeout);
        range("--port", port, 0, 65535);
        range("--max-batch", maxBatch, 1, ServerSettings.MAX_BATCH);
        range("--max-delay-ms", maxDelayMs, 0, 10_000);
        range("--queue", queue, 1, 1_000_000);
        range("--max-body-mb", maxBodyMb, 1, 2047);
        range("--max-request-images", maxRequestImages, 1, ServerSettings.MAX_BATCH);
        range("--max-image-pixels", maxImagePixels, 1, 1L << 31);
        range("--workers", workers, 1, ServerSettings.MAX_WORKERS);
        if (t.isZero() || t.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("--timeout must be between 1ms and 1h, got " + timeout);
        }
        return new ServerSettings(
                host,
                port,
                maxBatch,
                Duration.ofMillis(maxDelayMs),
                queue,
                t,
                (long) maxBodyMb << 20,
                maxRequestImages,
                maxImagePixels,
                workers);
    }

    /** One spec per --weights; the configs and names are checked here, so mistakes exit 2 before listening. */
    private List<ModelSpec> specs() throws Exception {
        if (names.size() > weights.size()) {
            throw new IllegalArgumentException(
                    "--name is given " + names.size() + " times for " + weights.size() + " --weights");
        }
        if (configs.size() > 1 && configs.size() != weights.size()) {
            throw new IllegalArgumentException("--config is given " + configs.size() + " times for " + weights.size()
                    + " --weights; give one for all, or one per --weights");
        }
        List<ModelSpec> out = new ArrayList<>();
        for (int i = 0; i < weights.size(); i++) {
            Path w = weights.get(i);
            ModelConfig config =
                    configs.isEmpty() ? null : ConfigLoader.load(configs.get(configs.size() == 1 ? 0 : i), Map.of());
            ModelArtifact.resolveConfig(w, config); // the file exists, and its config agrees with the one given
            String name = i < names.size() ? names.get(i) : ModelSpec.defaultName(w);
            out.add(ModelSpec.weights(name, w, config));
        }
        return out;
    }

    private static void range(String flag, long v, long min, long max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(flag + " must be between " + min + " and " + max + ", got " + v);
        }
    }
}
