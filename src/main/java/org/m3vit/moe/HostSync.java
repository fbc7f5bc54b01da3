package org.m3vit.moe;

import ai.djl.ndarray.NDArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every device-to-host read on the MoE path goes through here, so the number of synchronisations and
 * the time spent in them are measured rather than assumed ({@code m3vit bench moe} reports both).
 */
public final class HostSync {

    private static final AtomicLong COUNT = new AtomicLong();
    private static final AtomicLong NANOS = new AtomicLong();

    private HostSync() {}

    static long[] readLongs(NDArray array) {
        long t0 = System.nanoTime();
        long[] values = array.toLongArray();
        NANOS.addAndGet(System.nanoTime() - t0);
        COUNT.incrementAndGet();
        return values;
    }

    /** Host reads since the process started. */
    public static long count() {
        return COUNT.get();
    }

    /** Nanoseconds spent waiting in host reads since the process started. */
    public static long nanos() {
        return NANOS.get();
    }
}
