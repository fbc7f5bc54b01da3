package org.m3vit.accel;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The baseline without reordering: tokens in order, each fetching its k experts' weights. The only reuse
 * across tokens is what the on-chip memory left next to the activations holds, used as a least-recently-used
 * cache of whole experts (emptied at each MoE layer: the next layer has other experts).
 */
public final class TokenOrderSchedule implements Schedule {

    @Override
    public String name() {
        return "token_order";
    }

    @Override
    public long storageBytes(Accelerator a, Workload w) {
        return a.tokenOrderCacheExperts(w.experts()) * a.expertBytes();
    }

    @Override
    public ScheduleResult run(Accelerator a, Workload w) {
        return Schedule.serial(this, a, w, (acc, wl, layer, t) -> {
            Cache cache = new Cache(acc.tokenOrderCacheExperts(wl.experts()));
            for (int e : TokenInterleaving.sequence(layer.queueLengths(), wl.topK(), wl.tokens())) {
                if (!cache.hit(e)) {
                    t.waitFor(acc.expertBytes());
                }
                oneToken(acc, wl, t);
            }
        });
    }

    /** One token through one expert whose weights are on chip: both linears, reading the whole expert. */
    static void oneToken(Accelerator a, Workload w, Tally t) {
        Step fc1 = w.expert().fc1();
        Step fc2 = w.expert().fc2();
        t.waitFor(a.activationTransferBytes(fc1));
        t.work(fc1, a.fc1Bytes());
        t.waitFor(a.activationTransferBytes(fc2));
        t.work(fc2, a.fc2Bytes());
    }

    /** Least-recently-used set of expert ids. */
    private static final class Cache {
        private final Map<Integer, Boolean> held;

        Cache(int capacity) {
            held = new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Integer, Boolean> eldest) {
                    return size() > capacity;
                }
            };
        }

        /** True if e was held; either way e is now the most recently used. */
        boolean hit(int e) {
            return held.put(e, Boolean.TRUE) != null;
        }
    }
}
