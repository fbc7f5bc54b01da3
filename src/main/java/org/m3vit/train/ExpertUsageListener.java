package org.m3vit.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.m3vit.io.AtomicFiles;

/**
 * Adds up the tokens each MoE expert received over an epoch's training steps and writes
 * {@code expert_usage.json} ({"task": {"layer_index": [tokens per expert]}}) after the epoch, replacing
 * the previous epoch's. A model without MoE blocks gets no file.
 */
public final class ExpertUsageListener implements TrainingLoopListener {

    private static final Gson JSON = new GsonBuilder().disableHtmlEscaping().create();

    private final RunLayout run;
    private Map<String, Map<Integer, long[]>> usage = new LinkedHashMap<>();

    public ExpertUsageListener(RunLayout run) {
        this.run = run;
    }

    @Override
    public void onEpochStart(int epoch) {
        usage = new LinkedHashMap<>();
    }

    @Override
    public void onStep(StepEnd step) {
        step.result().expertCounts().forEach((task, layers) -> {
            Map<Integer, long[]> perLayer = usage.computeIfAbsent(task, k -> new TreeMap<>());
            layers.forEach((layer, c) -> {
                long[] acc = perLayer.computeIfAbsent(layer, k -> new long[c.length]);
                for (int j = 0; j < c.length; j++) {
                    acc[j] += c[j];
                }
            });
        });
    }

    @Override
    public void onEpochEnd(EpochEnd end) throws IOException {
        if (usage.isEmpty()) {
            return;
        }
        Map<String, Map<String, long[]>> out = new LinkedHashMap<>();
        usage.forEach((t, layers) -> {
            Map<String, long[]> m = new LinkedHashMap<>();
            layers.forEach((l, c) -> m.put(Integer.toString(l), c));
            out.put(t, m);
        });
        AtomicFiles.write(run.expertUsage(), JSON.toJson(out).getBytes(StandardCharsets.UTF_8));
    }
}
