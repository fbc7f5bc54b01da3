package org.m3vit.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.m3vit.config.ModelConfig;
import org.m3vit.infer.ModelInput;
import org.m3vit.infer.Predictor;
import org.m3vit.runtime.RuntimeReport;
import org.m3vit.task.Task;

/**
 * One side of {@code m3vit bench runtime}, run in a process of its own so that its peak RSS is its own:
 * a predictor with resident experts or with experts streamed through two buffers, timed on a stream of
 * batch-1 images of one task; for the streamed side also a same-task stream against a mixed-task stream
 * (a different task every image), whose difference is what switching routers and heads costs.
 */
public final class RuntimeBenchmark {

    /**
     * @param buffers 0 for resident experts, else the number of expert buffers
     * @param images timed images per stream
     */
    public record Settings(Path weights, Task task, int images, int warmup, int buffers, long seed) {}

    /**
     * @param imagesPerSecond images of the timed single-task stream per second
     * @param peakRssBytes the process's peak resident set (VmHWM), -1 where /proc is not available
     * @param bytesReadPerImage expert bytes read from storage per timed image
     * @param stallFraction time waiting for expert loads over the timed stream's wall time
     * @param sameTaskMsPerImage ms per image of a stream that switches task only between blocks of images
     * @param mixedTaskMsPerImage ms per image of the same images with a different task every image
     */
    public record Result(
            double imagesPerSecond,
            long peakRssBytes,
            long expertBytesResident,
            long residentBytes,
            double bytesReadPerImage,
            double stallFraction,
            double sameTaskMsPerImage,
            double mixedTaskMsPerImage,
            long taskSwitches,
            long expertBytes,
            RuntimeReport report) {}

    private final Settings settings;
    private final Consumer<String> progress;

    public RuntimeBenchmark(Settings settings, Consumer<String> progress) {
        this.settings = settings;
        this.progress = progress;
    }

    public Result run() throws IOException {
        Predictor.Builder b = Predictor.builder().weights(settings.weights());
        if (settings.buffers() > 0) {
            b.expertBuffers(settings.buffers());
        }
        try (Predictor p = b.build()) {
            ModelConfig c = p.config();
            List<Task> tasks = c.tasks().tasks();
            List<ModelInput> inputs = inputs(c, settings.images(), settings.seed());
            for (int i = 0; i < settings.warmup(); i++) {
                progress.accept("warm-up " + (i + 1) + "/" + settings.warmup());
                p.predict(inputs.get(i % inputs.size()), settings.task());
            }
            RuntimeReport before = p.runtimeReport();
            long t0 = System.nanoTime();
            for (int i = 0; i < inputs.size(); i++) {
                progress.accept(settings.task().id() + " " + (i + 1) + "/" + inputs.size());
                p.predict(inputs.get(i), settings.task());
            }
            long wall = System.nanoTime() - t0;
            RuntimeReport after = p.runtimeReport();
            double same = Double.NaN;
            double mixed = Double.NaN;
            if (settings.buffers() > 0) {
                // the same (image, task) pairs in two orders: blocks of one task, then round robin
                int per = Math.max(1, (inputs.size() + tasks.size() - 1) / tasks.size());
                List<Task> blocked = new ArrayList<>();
                List<Task> roundRobin = new ArrayList<>();
                for (Task t : tasks) {
                    for (int i = 0; i < per; i++) {
                        blocked.add(t);
                    }
                }
                for (int i = 0; i < per; i++) {
                    roundRobin.addAll(tasks);
                }
                same = stream(p, inputs, blocked, "same-task");
                mixed = stream(p, inputs, roundRobin, "mixed-task");
            }
            double n = inputs.size();
            RuntimeReport end = p.runtimeReport();
            return new Result(
                    n / (wall / 1e9),
                    peakRssBytes(),
                    after.expertBytesResident(),
                    after.residentBytes(),
                    (after.bytesLoaded() - before.bytesLoaded()) / n,
                    (double) (after.stallNanos() - before.stallNanos()) / wall,
                    same,
                    mixed,
                    end.taskSwitches(),
                    after.expertBytes(),
                    end);
        }
    }

    /** Milliseconds per image of predicting image i with task order[i] (inputs reused cyclically). */
    private double stream(Predictor p, List<ModelInput> inputs, List<Task> order, String label) {
        long t0 = System.nanoTime();
        for (int i = 0; i < order.size(); i++) {
            progress.accept(label + " " + (i + 1) + "/" + order.size());
            p.predict(inputs.get(i % inputs.size()), order.get(i));
        }
        return (System.nanoTime() - t0) / 1e6 / order.size();
    }

    private static List<ModelInput> inputs(ModelConfig c, int n, long seed) {
        Random r = new Random(seed);
        List<ModelInput> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] chw = new float[c.inChans() * c.imgHeight() * c.imgWidth()];
            for (int j = 0; j < chw.length; j++) {
                chw[j] = (float) r.nextGaussian();
            }
            out.add(ModelInput.normalised(chw, c.inChans(), c.imgHeight(), c.imgWidth()));
        }
        return out;
    }

    /** VmHWM of this process in bytes, or -1 where /proc/self/status does not exist. */
    public static long peakRssBytes() {
        Path status = Path.of("/proc/self/status");
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmHWM:")) {
                    String[] parts = line.trim().split("\\s+");
                    return Long.parseLong(parts[1]) * 1024; // kB
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
