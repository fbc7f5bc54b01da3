package org.m3vit.serve;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The server's metrics, exposed at {@code /metrics} in Prometheus text format:
 *
 * <pre>
 * m3vit_requests_total{model,task,status}        inference requests answered, by HTTP status
 * m3vit_request_latency_seconds{model,task}      arrival to answer (histogram: _bucket, _sum, _count, _max)
 * m3vit_queue_depth                              images waiting for a forward pass
 * m3vit_requests_inflight                        inference requests being handled
 * m3vit_batch_size{model,task}                   images per forward pass (histogram)
 * m3vit_task_switches_total{model}               forward passes whose task differs from the model's previous one
 * m3vit_expert_loaded_bytes_total{model}         expert weight bytes loaded into memory
 * </pre>
 *
 * plus the JVM's memory, GC, thread and CPU meters. {@code task} is one task id, ids joined by '+', or
 * "all"; a model name the server does not serve is counted as "_unknown" so that clients cannot grow
 * the label set.
 */
final class ServerMetrics {

    static final String UNKNOWN = "_unknown";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    ServerMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
    }

    void request(String model, String task, int status, long nanos) {
        Counter.builder("m3vit.requests")
                .description("Inference requests answered, by model, task and HTTP status")
                .tags("model", model, "task", task, "status", Integer.toString(status))
                .register(registry)
                .increment();
        Timer.builder("m3vit.request.latency")
                .description("Inference request latency, arrival to answer")
                .tags("model", model, "task", task)
                .serviceLevelObjectives(
                        ms(1), ms(2), ms(5), ms(10), ms(20), ms(50), ms(100), ms(200), ms(500), ms(1000), ms(2000),
                        ms(5000), ms(10000), ms(30000))
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    void batch(String model, String task, int images) {
        DistributionSummary.builder("m3vit.batch.size")
                .description("Images per forward pass")
                .tags("model", model, "task", task)
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128)
                .register(registry)
                .record(images);
    }

    void taskSwitch(String model) {
        Counter.builder("m3vit.task.switches")
                .description("Forward passes of a model whose task differs from its" + " previous forward pass")
                .tags("model", model)
                .register(registry)
                .increment();
    }

    void expertBytesLoaded(String model, long bytes) {
        Counter.builder("m3vit.expert.loaded")
                .baseUnit("bytes")
                .description("Expert weight bytes loaded into" + " memory (resident models: once, at load)")
                .tags("model", model)
                .register(registry)
                .increment(bytes);
    }

    void queueDepth(Supplier<Number> images) {
        Gauge.builder("m3vit.queue.depth", images)
                .description("Images waiting for a forward pass")
                .strongReference(true)
                .register(registry);
    }

    void inflight(Supplier<Number> requests) {
        Gauge.builder("m3vit.requests.inflight", requests)
                .description("Inference requests being handled")
                .strongReference(true)
                .register(registry);
    }

    /** The Prometheus text exposition (format 0.0.4). */
    String scrape() {
        return registry.scrape();
    }

    void close() {
        registry.close();
    }

    private static Duration ms(long v) {
        return Duration.ofMillis(v);
    }
}
