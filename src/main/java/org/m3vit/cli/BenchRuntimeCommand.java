package org.m3vit.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.m3vit.bench.RuntimeBenchmark;
import org.m3vit.config.ModelConfig;
import org.m3vit.config.VitPreset;
import org.m3vit.infer.ModelArtifact;
import org.m3vit.infer.Provenance;
import org.m3vit.model.MultiTaskModel;
import org.m3vit.runtime.ByteSize;
import org.m3vit.runtime.ExpertPacker;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.Task;
import org.m3vit.task.TaskSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code m3vit bench runtime}: resident against streamed experts. Each side runs in a child JVM of its own
 * (this command, with the hidden {@code --side}), so that each reports its own peak RSS.
 */
@Command(
        name = "runtime",
        mixinStandardHelpOptions = true,
        description = "Resident experts against experts streamed through 2 buffers from a packed artifact, batch 1:"
                + " images/s, peak RSS, expert bytes resident, bytes read per image, stall fraction; and, streamed,"
                + " a mixed-task stream (a different task every image) against a same-task stream. Random-init"
                + " weights of the preset (E=16, top-4, the 5 PASCAL tasks); each side in its own process.")
final class BenchRuntimeCommand implements Callable<Integer> {

    @Option(names = "--preset", defaultValue = "small", description = "ViT preset (default: ${DEFAULT-VALUE}).")
    String preset;

    @Option(
            names = "--size",
            defaultValue = "224x224",
            paramLabel = "HxW",
            description = "Image size (default: ${DEFAULT-VALUE}).")
    String size;

    @Option(
            names = "--task",
            defaultValue = "semseg",
            description = "Task of the timed stream (default: ${DEFAULT-VALUE}).")
    String task;

    @Option(
            names = "--images",
            defaultValue = "20",
            description = "Timed images per stream (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed images first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(
            names = "--experts",
            defaultValue = "16",
            description = "Experts per MoE layer (default: ${DEFAULT-VALUE}).")
    int experts;

    @Option(names = "--top-k", defaultValue = "4", description = "Experts per token (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--seed", defaultValue = "0", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @Mixin
    ThreadsOption threadsOption;

    /** Internal: run one side in this process and print its result as one JSON line. */
    @Option(names = "--side", hidden = true)
    String side;

    /** Internal: the weights file a side runs on. */
    @Option(names = "--side-weights", hidden = true)
    Path sideWeights;

    /** Internal: the packed file of the interleaved side (its --side-weights is the reference-layout one). */
    @Option(names = "--side-packed", hidden = true)
    Path sidePacked;

    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    @Override
    public Integer call() throws Exception {
        if (images < 1 || warmup < 0) {
            throw new IllegalArgumentException(
                    "--images must be >= 1 and --warmup >= 0, got " + images + " and " + warmup);
        }
        int threads = threadsOption.apply();
        Task t = Task.parse(task);
        if (side != null) {
            return runSide(t);
        }
        ModelConfig config = config(t);
        Path dir = Files.createTempDirectory("m3vit-bench-runtime");
        try {
            Progress.line().accept("writing random-init weights");
            Path plain = dir.resolve("weights.safetensors");
            Engine.getInstance().setRandomSeed((int) seed);
            try (NDManager m = NDManager.newBaseManager()) {
                ModelArtifact.save(
                        new MultiTaskModel(config).initialize(m),
                        plain,
                        Provenance.of(Map.of("seed", Long.toString(seed))));
            }
            Progress.line().accept("packing");
            Path packed = dir.resolve("weights.packed.safetensors");
            ExpertPacker.pack(plain, config, ModelArtifact.derivedMetadata(plain, config), packed);
            JsonObject resident = child("resident", plain, null, threads);
            JsonObject streamed = child("streamed", packed, null, threads);
            JsonObject both = child("interleaved", plain, packed, threads);
            Progress.clear();
            print(config, threads, resident, streamed, both);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        }
        return 0;
    }

    private ModelConfig config(Task t) {
        VitPreset p = VitPreset.find(preset);
        if (p == null) {
            throw new IllegalArgumentException(
                    "--preset: unknown preset '" + preset + "'; expected tiny, small or base");
        }
        int[] hw = parseSize(size);
        DatasetLayout pascal = DatasetLayout.PASCAL;
        if (!pascal.tasks().contains(t)) {
            throw new IllegalArgumentException("--task " + t.id() + " is not a PASCAL task " + pascal.tasks());
        }
        return ModelConfig.builder()
                .tasks(new TaskSet(pascal, EnumSet.copyOf(pascal.tasks())))
                .preset(p)
                .imgSize(hw[0], hw[1])
                .moeExperts(experts)
                .moeTopK(topK)
                .build();
    }

    /** Runs this command again in a child JVM for one side and reads its JSON line. */
    private JsonObject child(String which, Path weights, Path packed, int threads)
            throws IOException, InterruptedException {
        Progress.line().accept(which + ": running in a child process");
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(
                "bench",
                "runtime",
                "--side",
                which,
                "--side-weights",
                weights.toString(),
                "--task",
                task,
                "--images",
                Integer.toString(images),
                "--warmup",
                Integer.toString(warmup),
                "--seed",
                Long.toString(seed),
                "--threads",
                Integer.toString(threads)));
        if (packed != null) {
            cmd.addAll(List.of("--side-packed", packed.toString()));
        }
        Process p = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String last = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.startsWith("{")) {
                    last = line;
                }
            }
        }
        int code = p.waitFor();
        if (code != 0 || last == null) {
            throw new IllegalStateException("the " + which + " benchmark process failed (exit " + code + ")");
        }
        return JsonParser.parseString(last).getAsJsonObject();
    }

    private int runSide(Task t) throws IOException {
        if (sideWeights == null
                || !List.of("resident", "streamed", "interleaved").contains(side)) {
            throw new IllegalArgumentException("--side must be resident, streamed or interleaved, with --side-weights");
        }
        if (side.equals("interleaved")) {
            RuntimeBenchmark.Interleaved r =
                    RuntimeBenchmark.interleaved(sideWeights, sidePacked, 2, t, images, warmup, seed, Progress.line());
            Progress.clear();
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("resident_images_per_s", round4(r.residentImagesPerSecond()));
            o.put("streamed_images_per_s", round4(r.streamedImagesPerSecond()));
            System.out.println(GSON.toJson(o));
            return 0;
        }
        RuntimeBenchmark.Result r = new RuntimeBenchmark(
                        new RuntimeBenchmark.Settings(
                                sideWeights, t, images, warmup, side.equals("streamed") ? 2 : 0, seed),
                        Progress.line())
                .run();
        Progress.clear();
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("images_per_s", round4(r.imagesPerSecond()));
        o.put("peak_rss_bytes", r.peakRssBytes());
        o.put("rss_after_load_bytes", r.rssAfterLoadBytes());
        o.put("expert_bytes_resident", r.expertBytesResident());
        o.put("resident_weight_bytes", r.residentBytes());
        o.put("bytes_read_per_image", Math.round(r.bytesReadPerImage()));
        o.put("stall_fraction", round4(r.stallFraction()));
        if (side.equals("streamed")) {
            o.put("same_task_ms_per_image", round(r.sameTaskMsPerImage()));
            o.put("mixed_task_ms_per_image", round(r.mixedTaskMsPerImage()));
            o.put(
                    "streams_ms_per_image",
                    r.streamMsPerImage().stream()
                            .map(BenchRuntimeCommand::round)
                            .toList());
            o.put("task_switches", r.taskSwitches());
            o.put("ms_per_switch", round(r.msPerSwitch()));
            o.put("wait_ms_per_switch", round(r.waitMsPerSwitch()));
        }
        o.put("expert_bytes", r.expertBytes());
        System.out.println(GSON.toJson(o));
        return 0;
    }

    private void print(ModelConfig c, int threads, JsonObject resident, JsonObject streamed, JsonObject both) {
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("preset", preset);
        cfg.put("size", c.imgHeight() + "x" + c.imgWidth());
        cfg.put("task", task);
        cfg.put("images", images);
        cfg.put("warmup", warmup);
        cfg.put("batch", 1);
        cfg.put("experts", c.moeExperts());
        cfg.put("top_k", c.moeTopK());
        cfg.put("moe_layers", c.moeLayers());
        cfg.put("tasks", c.tasks().ids());
        cfg.put("expert_buffers", 2);
        cfg.put("streamed_from", "packed artifact (m3vit pack)");
        cfg.put("threads", threads);
        cfg.put(
                "images_per_s_from",
                "both predictors in one process, one image each in turn; *_alone: each side in its own process");
        double residentIps = both.get("resident_images_per_s").getAsDouble();
        double streamedIps = both.get("streamed_images_per_s").getAsDouble();
        Map<String, Object> res = new LinkedHashMap<>();
        res.put("images_per_s", residentIps);
        res.put("images_per_s_alone", resident.get("images_per_s"));
        for (String k :
                List.of("peak_rss_bytes", "rss_after_load_bytes", "expert_bytes_resident", "resident_weight_bytes")) {
            res.put(k, resident.get(k));
        }
        Map<String, Object> str = new LinkedHashMap<>();
        str.put("images_per_s", streamedIps);
        str.put("images_per_s_alone", streamed.get("images_per_s"));
        for (String k : List.of(
                "peak_rss_bytes",
                "rss_after_load_bytes",
                "expert_bytes_resident",
                "resident_weight_bytes",
                "bytes_read_per_image",
                "stall_fraction")) {
            str.put(k, streamed.get(k));
        }
        double same = streamed.get("same_task_ms_per_image").getAsDouble();
        double mixed = streamed.get("mixed_task_ms_per_image").getAsDouble();
        Map<String, Object> sw = new LinkedHashMap<>();
        sw.put("same_task_ms_per_image", same);
        sw.put("mixed_task_ms_per_image", mixed);
        sw.put("overhead_fraction", round4(mixed / same - 1));
        sw.put("streams_ms_per_image_grouped_mixed_mixed_grouped", streamed.get("streams_ms_per_image"));
        sw.put("task_switches", streamed.get("task_switches"));
        sw.put("load_ms_per_switch", streamed.get("ms_per_switch"));
        sw.put("wait_ms_per_switch", streamed.get("wait_ms_per_switch"));
        double ratio = streamedIps / residentIps;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("config", cfg);
        out.put("resident", res);
        out.put("streamed", str);
        out.put("task_switch", sw);
        out.put("ratios", Map.of("streamed_over_resident", round4(ratio)));
        out.put("expert_bytes", streamed.get("expert_bytes"));
        if (json) {
            System.out.println(GSON.toJson(out));
            return;
        }
        System.out.printf(
                Locale.ROOT,
                "%s %s, %s, batch 1, E=%d top-%d, %d timed images after %d warm-up%n",
                preset,
                cfg.get("size"),
                task,
                c.moeExperts(),
                c.moeTopK(),
                images,
                warmup);
        System.out.printf(
                Locale.ROOT,
                "  resident: %.2f images/s, peak RSS %s, expert bytes resident %s%n",
                residentIps,
                ByteSize.format(resident.get("peak_rss_bytes").getAsLong()),
                ByteSize.format(resident.get("expert_bytes_resident").getAsLong()));
        System.out.printf(
                Locale.ROOT,
                "  streamed (2 buffers): %.2f images/s (%.3f of resident), peak RSS %s, expert bytes resident %s,"
                        + " %s read per image, stall fraction %.4f%n",
                streamedIps,
                ratio,
                ByteSize.format(streamed.get("peak_rss_bytes").getAsLong()),
                ByteSize.format(streamed.get("expert_bytes_resident").getAsLong()),
                ByteSize.format(streamed.get("bytes_read_per_image").getAsLong()),
                streamed.get("stall_fraction").getAsDouble());
        System.out.printf(
                Locale.ROOT,
                "  task switching (streamed): same-task %.2f ms/image, mixed-task %.2f ms/image, overhead %.4f%n",
                same,
                mixed,
                mixed / same - 1);
        System.out.println(
                "  one expert: " + ByteSize.format(streamed.get("expert_bytes").getAsLong()));
    }

    private static int[] parseSize(String s) {
        String[] p = s.toLowerCase(Locale.ROOT).split("x");
        try {
            if (p.length == 2) {
                return new int[] {Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim())};
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("--size: expected HxW such as 224x224, got '" + s + "'");
    }

    private static double round(double v) {
        return Math.round(v * 100.0) / 100.0;
    }

    private static double round4(double v) {
        return Math.round(v * 10000.0) / 10000.0;
    }
}
