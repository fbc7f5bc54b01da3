package org.m3vit.generalist;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs a test class with one intra-op thread and restores the count afterwards. The generalist's tensors
 * are tiny: with two OpenMP threads on a busy 2-core machine the workers mostly wait for each other
 * (measured: a tiny training step 25–45 ms of CPU with one thread, seconds of wall time with two under
 * load), so its tests would take minutes instead of seconds.
 */
public final class OneThread implements BeforeAllCallback, AfterAllCallback {

    private int before;

    @Override
    public void beforeAll(ExtensionContext context) {
        Engine.getInstance(); // the engine must be up before its thread count can be read
        before = JniUtils.getNumThreads();
        JniUtils.setNumThreads(1);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        JniUtils.setNumThreads(before);
    }
}
