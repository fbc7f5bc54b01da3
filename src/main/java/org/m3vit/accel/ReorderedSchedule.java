package org.m3vit.accel;

/**
 * Computation reordering without overlap: for each non-empty expert in turn (ascending id), load it, then
 * compute its whole queue. Empty experts are never loaded; a loaded expert's weights serve its whole queue.
 */
public final class ReorderedSchedule implements Schedule {

    @Override
    public String name() {
        return "reordered";
    }

    @Override
    public long storageBytes(Accelerator a, Workload w) {
        return a.expertBytes() + a.queueBytes();
    }

    @Override
    public ScheduleResult run(Accelerator a, Workload w) {
        return Schedule.serial(this, a, w, (acc, wl, layer, t) -> {
            int[] q = layer.queueLengths();
            for (int e = 0; e < q.length; e++) {
                if (q[e] == 0) {
                    continue;
                }
                Step fc1 = wl.expert().fc1().times(q[e]);
                Step fc2 = wl.expert().fc2().times(q[e]);
                // Two transfers, one per linear, as the double-buffered schedule makes them.
                t.waitFor(acc.fc1Bytes() + acc.activationTransferBytes(fc1));
                t.waitFor(acc.fc2Bytes() + acc.activationTransferBytes(fc2));
                t.work(fc1, acc.fc1Bytes());
                t.work(fc2, acc.fc2Bytes());
            }
        });
    }
}
