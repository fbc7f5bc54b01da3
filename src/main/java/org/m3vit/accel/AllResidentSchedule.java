package org.m3vit.accel;

/**
 * The baseline that avoids refetching: at each MoE layer all E experts are loaded on chip (the gate has not
 * sorted the tokens, so any of them may be needed next), then the tokens are computed in order. Its expert
 * storage, E whole experts, is the on-chip memory a design without reordering needs.
 */
public final class AllResidentSchedule implements Schedule {

    @Override
    public String name() {
        return "all_resident";
    }

    @Override
    public long storageBytes(Accelerator a, Workload w) {
        return w.experts() * a.expertBytes();
    }

    @Override
    public ScheduleResult run(Accelerator a, Workload w) {
        return Schedule.serial(this, a, w, (acc, wl, layer, t) -> {
            int[] q = layer.queueLengths();
            for (int e = 0; e < q.length; e++) {
                t.waitFor(acc.fc1Bytes());
                t.waitFor(acc.fc2Bytes());
            }
            // Token by token: each (token, expert) pair reads that expert's weights from the buffer again.
            for (int e = 0; e < q.length; e++) {
                for (int i = 0; i < q[e]; i++) {
                    TokenOrderSchedule.oneToken(acc, wl, t);
                }
            }
        });
    }
}
