package org.m3vit.infer;

import org.m3vit.errors.InvalidInputException;
import org.m3vit.errors.Limits;

/**
 * Process-wide engine settings, which must be fixed before the engine starts: offline mode (nothing is
 * ever downloaded; the PyTorch native library ships on the classpath) and the thread counts.
 */
public final class EngineSettings {

    /** More threads than this is never useful on one machine and a typo such as 100000 would exhaust it. */
    public static final int MAX_THREADS = Limits.MAX_THREADS;

    private EngineSettings() {}

    /** Forbids downloads by the engine; the launcher and the test runner set it too. */
    public static void offline() {
        System.setProperty("ai.djl.offline", "true");
    }

    /**
     * Sets PyTorch's intra- and inter-op thread counts (and offline mode); effective only before the engine
     * loads, which the first tensor operation does.
     */
    public static void threads(int threads) {
        if (threads < 1 || threads > MAX_THREADS) {
            throw InvalidInputException.field("threads", "must be between 1 and " + MAX_THREADS + ", got " + threads);
        }
        offline();
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", Integer.toString(threads));
    }
}
