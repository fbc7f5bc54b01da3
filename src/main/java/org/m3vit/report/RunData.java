package org.m3vit.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.io.TextFiles;
import org.m3vit.train.EpochRecord;
import org.m3vit.train.RunLayout;

/**
 * Everything the report reads from one run directory:
 * <ul>
 *   <li>{@code metrics.jsonl} (required): one {@link EpochRecord} per line;</li>
 *   <li>{@code expert_usage.json} (optional): {"task": {"layer": [tokens per expert]}};</li>
 *   <li>{@code results/metrics.json} or {@code final_metrics.json} (optional): the final metrics as
 *       {@code m3vit eval} prints them (with "delta_m"); without it the last epoch with validation is used;</li>
 *   <li>{@code run_info.json} (optional): {"params": n, "gflops": x} for the summary table.</li>
 * </ul>
 */
public record RunData(
        String name,
        List<EpochRecord> epochs,
        Map<String, Map<String, long[]>> expertUsage,
        Map<String, Map<String, Double>> finalMetrics,
        Double deltaM,
        Long params,
        Double gflops) {

    public static RunData load(Path dir) throws IOException {
        RunLayout run = new RunLayout(dir);
        Path jsonl = run.metricsLog();
        if (!Files.isRegularFile(jsonl)) {
            throw InvalidInputException.file(jsonl, "file not found (not a run directory?)");
        }
        List<EpochRecord> epochs = new ArrayList<>();
        List<String> lines = TextFiles.lines(jsonl);
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                epochs.add(EpochRecord.parse(lines.get(i), jsonl + ":" + (i + 1)));
            }
        }
        Map<String, Map<String, long[]>> usage = new LinkedHashMap<>();
        Path u = run.expertUsage();
        if (Files.isRegularFile(u)) {
            usage = expertUsage(u, parseObject(u));
        }
        Map<String, Map<String, Double>> fin = null;
        Double deltaM = null;
        for (Path f : new Path[] {run.resultsMetrics(), run.legacyFinalMetrics()}) {
            if (Files.isRegularFile(f)) {
                fin = new LinkedHashMap<>();
                for (var e : parseObject(f).entrySet()) {
                    if (e.getKey().equals("delta_m")) {
                        deltaM = number(e.getValue());
                    } else if (e.getValue().isJsonObject()) {
                        Map<String, Double> m = new LinkedHashMap<>();
                        e.getValue().getAsJsonObject().entrySet().forEach(x -> m.put(x.getKey(), number(x.getValue())));
                        fin.put(e.getKey(), m);
                    }
                }
                break;
            }
        }
        if (fin == null) {
            for (int i = epochs.size() - 1; i >= 0; i--) {
                if (epochs.get(i).val() != null && !epochs.get(i).val().isEmpty()) {
                    fin = EpochRecord.copy(epochs.get(i).val());
                    deltaM = epochs.get(i).deltaM();
                    break;
                }
            }
        }
        Long params = null;
        Double gflops = null;
        Path info = run.runInfo();
        if (Files.isRegularFile(info)) {
            JsonObject o = parseObject(info);
            params = o.has("params") ? o.get("params").getAsLong() : null;
            gflops = o.has("gflops") ? number(o.get("gflops")) : null;
        }
        String name = dir.toAbsolutePath().normalize().getFileName().toString();
        return new RunData(name, epochs, usage, fin == null ? Map.of() : fin, deltaM, params, gflops);
    }

    /** {"task": {"layer": [tokens per expert]}}; anything else is an error naming the file. */
    private static Map<String, Map<String, long[]>> expertUsage(Path f, JsonObject o) {
        Map<String, Map<String, long[]>> usage = new LinkedHashMap<>();
        try {
            for (var task : o.entrySet()) {
                Map<String, long[]> layers = new LinkedHashMap<>();
                for (var layer : task.getValue().getAsJsonObject().entrySet()) {
                    var arr = layer.getValue().getAsJsonArray();
                    long[] c = new long[arr.size()];
                    for (int k = 0; k < c.length; k++) {
                        c[k] = arr.get(k).getAsLong();
                        if (c[k] < 0) {
                            throw new NumberFormatException();
                        }
                    }
                    layers.put(layer.getKey(), c);
                }
                usage.put(task.getKey(), layers);
            }
        } catch (IllegalStateException | UnsupportedOperationException | NumberFormatException e) {
            throw InvalidInputException.file(
                    f, "malformed expert usage (expected {\"task\": {\"layer\": [token counts >= 0]}})");
        }
        return usage;
    }

    private static JsonObject parseObject(Path f) throws IOException {
        String text = TextFiles.read(f);
        try {
            JsonElement e = JsonParser.parseString(text);
            if (!e.isJsonObject()) {
                throw InvalidInputException.file(f, "malformed JSON (expected an object)");
            }
            return e.getAsJsonObject();
        } catch (JsonParseException e) {
            throw InvalidInputException.file(f, "malformed JSON");
        }
    }

    private static Double number(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return null;
        }
        String s = e.getAsString();
        return s.equals("NaN") ? Double.NaN : e.getAsDouble();
    }
}
