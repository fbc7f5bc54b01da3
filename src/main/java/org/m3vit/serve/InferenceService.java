package org.m3vit.serve;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.infer.ModelInput;
import org.m3vit.io.Tensor;
import org.m3vit.task.Task;

/**
 * One inference request, transport aside: resolve the model, read and check the body, decode the inputs,
 * run them through the batcher and encode the answer. Everything a client can get wrong fails here with
 * an {@link InvalidInputException} (400) or a {@link ServeException} (404, 413, 503, 504), before any
 * forward pass.
 */
final class InferenceService {

    /** Labels known so far, for metrics of requests that fail midway. */
    static final class Labels {
        String model = ServerMetrics.UNKNOWN;
        String task = "_none";
    }

    private final ModelRegistry registry;
    private final MicroBatcher batcher;
    private final ServerSettings settings;

    InferenceService(ModelRegistry registry, MicroBatcher batcher, ServerSettings settings) {
        this.registry = registry;
        this.batcher = batcher;
        this.settings = settings;
    }

    /**
     * @param jsonLengthHeader the Inference-Header-Content-Length header, or null
     * @param arrivalNanos when the request arrived ({@link System#nanoTime}); the timeout counts from it
     */
    InferResponseWriter.Encoded infer(
            String modelName,
            InputStream body,
            long contentLength,
            String jsonLengthHeader,
            long arrivalNanos,
            Labels labels)
            throws IOException, InterruptedException {
        ModelRegistry.Target target = registry.resolve(modelName);
        ServedModel model = target.model();
        labels.model = model.name();
        ModelRunner runner = model.runner();
        byte[] bytes;
        try {
            bytes = BoundedBody.read(body, contentLength, settings.maxBodyBytes());
        } catch (IOException e) { // the client stopped sending (closed early, or too slow for the idle timeout)
            throw InvalidInputException.field("body", "could not be read to its end: " + e.getMessage());
        }
        InferRequest request = InferRequestParser.parse(
                bytes,
                jsonLength(jsonLengthHeader),
                new InferRequestParser.Limits(
                        (long) model.imageElements() * settings.maxRequestImages(), settings.maxRequestImages()));
        List<Task> tasks = TaskSelection.resolve(model, target.task(), request);
        labels.task = TaskSelection.label(tasks, model.tasks());
        List<ModelInput> inputs = RequestInputs.of(request, runner.config(), runner.preprocessing(), settings);
        Map<Task, Tensor> outputs = run(model, tasks, inputs, arrivalNanos);
        Map<Task, Integer> channels = new LinkedHashMap<>();
        tasks.forEach(t -> channels.put(t, model.channels(t)));
        return InferResponseWriter.write(target.requestedName(), request, tasks, outputs, channels);
    }

    /**
     * All of a model's tasks go as one job through the shared-prefix pathway; a subset goes as one job per
     * task, each batched with other requests for that task.
     */
    private Map<Task, Tensor> run(ServedModel model, List<Task> tasks, List<ModelInput> inputs, long arrivalNanos)
            throws InterruptedException {
        List<CompletableFuture<Map<Task, Tensor>>> parts = new ArrayList<>();
        try {
            if (tasks.size() > 1 && tasks.equals(model.tasks())) {
                parts.add(batcher.submit(new MicroBatcher.Key(model, null), inputs));
            } else {
                for (Task t : tasks) {
                    parts.add(batcher.submit(new MicroBatcher.Key(model, t), inputs));
                }
            }
        } catch (ServeException e) {
            parts.forEach(p -> p.cancel(false));
            throw e;
        }
        long remaining = settings.requestTimeout().toNanos() - (System.nanoTime() - arrivalNanos);
        Map<Task, Tensor> out = new LinkedHashMap<>();
        try {
            CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0]))
                    .get(Math.max(0, remaining), TimeUnit.NANOSECONDS);
            for (CompletableFuture<Map<Task, Tensor>> p : parts) {
                out.putAll(p.join());
            }
        } catch (TimeoutException e) {
            parts.forEach(p -> p.cancel(false));
            throw ServeException.timeout("no answer within the request timeout of "
                    + settings.requestTimeout().toMillis() + " ms (the server is overloaded)");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("forward pass failed: " + cause, cause);
        }
        return out;
    }

    private static Integer jsonLength(String header) {
        if (header == null) {
            return null;
        }
        try {
            return Integer.valueOf(header.trim());
        } catch (NumberFormatException e) {
            throw InvalidInputException.field(
                    "Inference-Header-Content-Length", "must be a byte count, got '" + header + "'");
        }
    }
}
