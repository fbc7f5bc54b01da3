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
 * Writes the tokens each MoE expert received over an epoch's training steps (the loop adds them up, so a
 * step checkpoint keeps them) as {@code expert_usage.json} ({"task": {"layer_index": [tokens per expert]}}) after the epoch, replacing
 * the previous epoch's. A model without MoE blocks gets no file.
 */
public final class ExpertUsageListener implements TrainingLoopListener {

    private static final Gson JSON = new GsonBuilder().disableHtmlEscaping().create();

    private final RunLayout run;

    public ExpertUsageListener(RunLayout run) {
        this.run = run;
    }

    @Override
    public void onEpochEnd(EpochEnd end) throws IOException {
        Map<String, Map<Integer, long[]>> usage = end.expertUsage();
        if (usage.isEmpty()) {
            return;
        }
        Map<String, Map<String, long[]>> out = new LinkedHashMap<>();
        usage.forEach((t, layers) -> {
            Map<String, long[]> m = new LinkedHashMap<>();
            new TreeMap<>(layers).forEach((l, c) -> m.put(Integer.toString(l), c));
            out.put(t, m);
        });
        AtomicFiles.write(run.expertUsage(), JSON.toJson(out).getBytes(StandardCharsets.UTF_8));
    }
}
