package org.m3vit.cli;

import java.io.PrintStream;
import java.util.Locale;
import org.m3vit.runtime.ByteSize;
import org.m3vit.runtime.LayerStats;
import org.m3vit.runtime.RuntimeReport;

/** The runtime's report as lines for a terminal. */
final class RuntimeText {

    private RuntimeText() {}

    static void print(RuntimeReport r, PrintStream out) {
        out.printf(
                Locale.ROOT,
                "runtime: %d expert buffers (%s), resident weights %s, expert bytes held at most %s (one expert %s)%s%n",
                r.buffers(),
                ByteSize.format(r.bufferBytes()),
                ByteSize.format(r.residentBytes()),
                ByteSize.format(r.expertBytesResident()),
                ByteSize.format(r.expertBytes()),
                r.budgetBytes() < 0 ? "" : ", budget " + ByteSize.format(r.budgetBytes()));
        for (LayerStats l : r.layers()) {
            out.printf(
                    Locale.ROOT,
                    "  %s: %d calls, %d experts computed, %d loaded (%s), compute %.1f ms, stalled %.1f ms,"
                            + " load %.1f ms (%.0f%% overlapped)%n",
                    l.layer(),
                    l.visits(),
                    l.expertsComputed(),
                    l.expertsLoaded(),
                    ByteSize.format(l.bytesLoaded()),
                    l.computeNanos() / 1e6,
                    l.stallNanos() / 1e6,
                    l.loadNanos() / 1e6,
                    100 * l.overlap());
        }
        if (r.taskSwitches() > 0) {
            out.printf(
                    Locale.ROOT,
                    "  task switches: %d, %.1f ms reading routers and heads, %.1f ms of it waited for%n",
                    r.taskSwitches(),
                    r.taskSwitchNanos() / 1e6,
                    r.taskSwitchWaitNanos() / 1e6);
        }
    }
}
