package org.m3vit.cli;

/** Process-wide engine settings that must be fixed before the engine starts. */
final class Runtime {

    private Runtime() {}

    /** Sets PyTorch's intra- and inter-op thread counts; effective only before the engine loads. */
    static void configureThreads(int threads) {
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", Integer.toString(threads));
    }
}
