package org.m3vit.cli;

import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT as a latch, so that a long-running command (serve) can stop gracefully and exit
 * with 0. With the JVM's default handling, SIGTERM runs the shutdown hooks and exits with 143, which
 * process supervisors report as a failure; catching the signal lets the command finish its work and
 * return normally instead.
 */
final class StopSignals {

    private final CountDownLatch stop = new CountDownLatch(1);
    private volatile String received;

    private StopSignals() {}

    static StopSignals install() {
        StopSignals s = new StopSignals();
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), sig -> {
                s.received = "SIG" + sig.getName();
                s.stop.countDown();
            });
        }
        return s;
    }

    /** Waits up to {@code millis} for a signal; true if one came. */
    boolean await(long millis) throws InterruptedException {
        return stop.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    String received() {
        return received;
    }
}
