package org.m3vit.serve;

import java.time.Duration;
import org.m3vit.errors.InvalidInputException;

/**
 * How an {@link InferenceServer} listens and what it accepts. Every limit is here so that a client cannot
 * make the server allocate more than these numbers allow.
 *
 * @param host the address to bind (loopback by default in the CLI)
 * @param port the TCP port; 0 picks a free one
 * @param maxBatch images per forward pass of one (model, task) queue
 * @param maxDelay how long the first request of a batch may wait for others to join it
 * @param queueCapacity images waiting (not yet in a forward pass) over all queues; beyond it, 503
 * @param requestTimeout from arrival to answer; a request still waiting then gets 504
 * @param maxBodyBytes request body limit (JSON plus binary tensor data); beyond it, 413
 * @param maxRequestImages images (batch dimension) in one request
 * @param maxImagePixels decoded pixels per uploaded image, checked from its header before decoding
 * @param workers threads running forward passes (the engine's own threads come on top)
 */
public record ServerSettings(
        String host,
        int port,
        int maxBatch,
        Duration maxDelay,
        int queueCapacity,
        Duration requestTimeout,
        long maxBodyBytes,
        int maxRequestImages,
        long maxImagePixels,
        int workers) {

    public static final int MAX_BATCH = 1024;
    public static final int MAX_WORKERS = 64;

    public ServerSettings {
        if (host == null || host.isBlank()) {
            throw InvalidInputException.field("host", "is empty");
        }
        check("port", port, 0, 65535);
        check("maxBatch", maxBatch, 1, MAX_BATCH);
        check("queueCapacity", queueCapacity, 1, 1_000_000);
        check("maxRequestImages", maxRequestImages, 1, MAX_BATCH);
        check("workers", workers, 1, MAX_WORKERS);
        if (maxDelay == null || maxDelay.isNegative() || maxDelay.compareTo(Duration.ofSeconds(10)) > 0) {
            throw InvalidInputException.field("maxDelay", "must be between 0 and 10 s, got " + maxDelay);
        }
        if (requestTimeout == null
                || requestTimeout.isNegative()
                || requestTimeout.isZero()
                || requestTimeout.compareTo(Duration.ofHours(1)) > 0) {
            throw InvalidInputException.field("requestTimeout", "must be between 1 ms and 1 h, got " + requestTimeout);
        }
        if (maxBodyBytes < 1024 || maxBodyBytes > Integer.MAX_VALUE - 8) {
            throw InvalidInputException.field("maxBodyBytes", "must be between 1 KiB and 2 GiB, got " + maxBodyBytes);
        }
        if (maxImagePixels < 1 || maxImagePixels > 1L << 31) {
            throw InvalidInputException.field("maxImagePixels", "must be between 1 and 2^31, got " + maxImagePixels);
        }
    }

    /** Loopback, an ephemeral port and the defaults of {@code m3vit serve}: for tests and embedding. */
    public static ServerSettings defaults() {
        return new ServerSettings(
                "127.0.0.1", 0, 8, Duration.ofMillis(5), 256, Duration.ofSeconds(30), 32L << 20, 32, 40_000_000L, 1);
    }

    public ServerSettings withPort(int p) {
        return new ServerSettings(
                host,
                p,
                maxBatch,
                maxDelay,
                queueCapacity,
                requestTimeout,
                maxBodyBytes,
                maxRequestImages,
                maxImagePixels,
                workers);
    }

    public ServerSettings withBatching(int batch, Duration delay, int capacity) {
        return new ServerSettings(
                host,
                port,
                batch,
                delay,
                capacity,
                requestTimeout,
                maxBodyBytes,
                maxRequestImages,
                maxImagePixels,
                workers);
    }

    public ServerSettings withLimits(long bodyBytes, int requestImages, long imagePixels, Duration timeout) {
        return new ServerSettings(
                host, port, maxBatch, maxDelay, queueCapacity, timeout, bodyBytes, requestImages, imagePixels, workers);
    }

    private static void check(String field, long v, long min, long max) {
        if (v < min || v > max) {
            throw InvalidInputException.field(field, "must be between " + min + " and " + max + ", got " + v);
        }
    }
}
