package org.m3vit.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.m3vit.infer.Predictor;

/**
 * One {@link Predictor} per model per executor JVM, loaded by the first task that needs it and kept for
 * every later task and job in that JVM: loading costs far more than a partition's inference, and a
 * Predictor serves concurrent calls, so the executor's task threads share it.
 */
public final class ExecutorPredictors {

    private static final Map<String, Predictor> CACHE = new HashMap<>();
    private static final AtomicInteger LOADS = new AtomicInteger();

    private ExecutorPredictors() {}

    /** The cached predictor for {@code source}; loads it on first use (other task threads wait). */
    public static synchronized Predictor get(ModelSource source) {
        String key = source.key();
        Predictor p = CACHE.get(key);
        if (p == null) {
            try {
                p = source.load();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            CACHE.put(key, p);
            LOADS.incrementAndGet();
        }
        return p;
    }

    /** How many predictors this JVM has loaded so far (tests check that tasks share one). */
    public static int loads() {
        return LOADS.get();
    }

    /** Closes every cached predictor (the embedded driver, which is also the executor, at its end). */
    public static synchronized void closeAll() {
        CACHE.values().forEach(Predictor::close);
        CACHE.clear();
    }
}
