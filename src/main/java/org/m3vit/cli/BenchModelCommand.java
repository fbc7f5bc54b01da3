package org.m3vit.cli;

import com.google.gson.GsonBuilder;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.m3vit.bench.ModelBenchmark;
import org.m3vit.config.ModelConfig;
import org.m3vit.config.VitPreset;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.TaskSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code m3vit bench model}: training and inference images/s of whole models. */
@Command(
        name = "model",
        mixinStandardHelpOptions = true,
        description = "Whole-model throughput per preset and image size: a training step (forward of every task"
                + " pathway, summed reference losses on random targets, backward, AdamW), inference through each task"
                + " pathway, and inference through all pathways at once (forwardAll). Images/s from the median of"
                + " the timed rounds after warm-up.")
final class BenchModelCommand implements Callable<Integer> {

    @Option(
            names = "--presets",
            defaultValue = "tiny,small",
            split = ",",
            description = "ViT presets (default: ${DEFAULT-VALUE}).")
    List<String> presets;

    @Option(
            names = "--sizes",
            defaultValue = "128x128,224x224",
            split = ",",
            paramLabel = "HxW",
            description = "Image sizes (default: ${DEFAULT-VALUE}).")
    List<String> sizes;

    @Option(
            names = "--db",
            defaultValue = "pascal",
            description =
                    "Task set: pascal (5 tasks) or nyud (semseg, depth, normals, edge) (default: ${DEFAULT-VALUE}).")
    String db;

    @Option(names = "--batch", defaultValue = "8", description = "Images per batch (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(
            names = "--experts",
            defaultValue = "16",
            description = "Experts per MoE layer (default: ${DEFAULT-VALUE}).")
    int experts;

    @Option(names = "--top-k", defaultValue = "4", description = "Experts per token (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(
            names = "--head-channels",
            defaultValue = "256",
            description = "Up-head channels (default: ${DEFAULT-VALUE}, the reference).")
    int headChannels;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed rounds (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--repeats", defaultValue = "5", description = "Timed rounds, >= 5 (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Mixin
    ThreadsOption threadsOption;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--no-train", description = "Measure inference only (the training step dominates the run time).")
    boolean noTrain;

    @Option(names = "--no-inference", description = "Measure the training step only.")
    boolean noInference;

    @Option(
            names = "--max-train-rss",
            paramLabel = "GB",
            description = "Memory regression check: exit 1 when a training step's peak resident set (the whole"
                    + " process's, reset before each step) exceeds GB gigabytes (10^9 bytes).")
    Double maxTrainRss;

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        if (repeats < 5) {
            throw new IllegalArgumentException("--repeats must be >= 5 for a meaningful median, got " + repeats);
        }
        if (batch < 1 || warmup < 0) {
            throw new IllegalArgumentException(
                    "--batch must be >= 1 and --warmup >= 0, got " + batch + " and " + warmup);
        }
        if (noTrain && noInference) {
            throw new IllegalArgumentException("--no-train and --no-inference together leave nothing to measure");
        }
        if (maxTrainRss != null && (noTrain || !(maxTrainRss > 0))) {
            throw new IllegalArgumentException(
                    noTrain
                            ? "--max-train-rss checks the training step, which --no-train skips"
                            : "--max-train-rss must be a positive number of GB, got " + maxTrainRss);
        }
        int threads = threadsOption.apply();
        DatasetLayout dataset = DatasetLayout.parse(db);
        List<ModelConfig> configs = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (String p : presets) {
            VitPreset preset = VitPreset.find(p);
            if (preset == null) {
                throw new IllegalArgumentException(
                        "--presets: unknown preset '" + p + "'; expected tiny, small or base");
            }
            for (String s : sizes) {
                int[] hw = parseSize(s);
                configs.add(ModelConfig.builder()
                        .tasks(new TaskSet(dataset, EnumSet.copyOf(dataset.tasks())))
                        .preset(preset)
                        .imgSize(hw[0], hw[1])
                        .moeExperts(experts)
                        .moeTopK(topK)
                        .headChannels(headChannels)
                        .build());
                labels.add(preset.name() + " " + hw[0] + "x" + hw[1]);
            }
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        List<String> over = new ArrayList<>();
        for (int i = 0; i < configs.size(); i++) {
            ModelConfig c = configs.get(i);
            String label = labels.get(i);
            ModelBenchmark.Result r = new ModelBenchmark(
                            c,
                            new ModelBenchmark.Settings(batch, warmup, repeats, seed, !noTrain, !noInference),
                            msg -> Progress.line().accept(label + ": " + msg))
                    .run();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("model", label);
            Map<String, Object> ips = new LinkedHashMap<>();
            Map<String, Object> ms = new LinkedHashMap<>();
            r.medianMs().keySet().forEach(k -> {
                ips.put(k, round(r.imagesPerSecond(k)));
                ms.put(
                        k,
                        List.of(
                                round(r.medianMs().get(k)),
                                round(r.minMs().get(k)),
                                round(r.maxMs().get(k))));
            });
            row.put("images_per_s", ips);
            row.put("ms_median_min_max", ms);
            Map<String, Object> rss = new LinkedHashMap<>();
            r.peakRssBytes().forEach((k, v) -> rss.put(k, v < 0 ? null : Math.round(v / 1e7) / 100.0));
            row.put(r.peakIsPerVariant() ? "peak_rss_gb" : "peak_rss_gb_since_start", rss);
            rows.add(row);
            Long trainPeak = r.peakRssBytes().get("train");
            if (maxTrainRss != null && trainPeak != null && trainPeak > maxTrainRss * 1e9) {
                over.add(String.format(
                        Locale.ROOT,
                        "%s: training step peak RSS %.2f GB > --max-train-rss %.2f GB",
                        label,
                        trainPeak / 1e9,
                        maxTrainRss));
            }
        }
        Progress.clear();
        if (json) {
            Map<String, Object> cfg = new LinkedHashMap<>();
            cfg.put("db", dataset.shortName());
            cfg.put("batch", batch);
            cfg.put("experts", experts);
            cfg.put("top_k", topK);
            cfg.put("head_channels", headChannels);
            cfg.put("warmup", warmup);
            cfg.put("repeats", repeats);
            cfg.put("threads", threads);
            cfg.put("train", !noTrain);
            cfg.put("inference", !noInference);
            if (maxTrainRss != null) {
                cfg.put("max_train_rss_gb", maxTrainRss);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("config", cfg);
            out.put("results", rows);
            System.out.println(new GsonBuilder().disableHtmlEscaping().create().toJson(out));
        } else {
            System.out.printf(
                    "images/s (batch %d, %s tasks, E=%d top-%d, head %d ch, median of %d after %d warm-up)%n",
                    batch, dataset.shortName(), experts, topK, headChannels, repeats, warmup);
            for (Map<String, Object> row : rows) {
                System.out.println(row.get("model") + ": " + row.get("images_per_s"));
                System.out.println(
                        "  peak RSS GB: " + row.getOrDefault("peak_rss_gb", row.get("peak_rss_gb_since_start")));
            }
        }
        if (!over.isEmpty()) {
            over.forEach(System.err::println);
            return 1;
        }
        return 0;
    }

    private static int[] parseSize(String s) {
        String[] p = s.toLowerCase(Locale.ROOT).split("x");
        try {
            if (p.length == 2) {
                return new int[] {Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim())};
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("--sizes: expected HxW such as 224x224, got '" + s + "'");
    }

    private static double round(double v) {
        return Math.round(v * 100.0) / 100.0;
    }
}
