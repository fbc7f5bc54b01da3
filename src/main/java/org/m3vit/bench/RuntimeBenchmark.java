package org.m3vit.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
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
 * (a different task every image), whose difference is what switching routers and heads costs. The two
 * streams hold the same (image, task) pairs, run in the order same, mixed, mixed, same, and are averaged.
 */
public final class RuntimeBenchmark {

    /**
     * @param buffers 0 for resident experts, else the number of expert buffers
     * @param images timed images per stream
     */
    public record Settings(Path weights, Task task, int images, int warmup, int buffers, long seed) {}

    /**
     * @param imagesPerSecond images of the timed single-task stream per second
     * @param rssAfterLoadBytes the process's resident set once the predictor is built, before any image
     * @param peakRssBytes the process's peak resident set (VmHWM) at the end of the timed single-task stream
     *     (before the task-switch streams, so both sides have done the same work), -1 without /proc
     * @param bytesReadPerImage expert bytes read from storage per timed image
     * @param stallFraction time waiting for expert loads over the timed stream's wall time
     * @param sameTaskMsPerImage ms per image of a stream that switches task only between blocks of images
     * @param mixedTaskMsPerImage ms per image of the same images with a different task every image
     * @param streamMsPerImage the four streams as run: grouped, mixed, mixed, grouped
     */
    public record Result(
            double imagesPerSecond,
            long rssAfterLoadBytes,
            long peakRssBytes,
            long expertBytesResident,
            long residentBytes,
            double bytesReadPerImage,
            double stallFraction,
            double sameTaskMsPerImage,
            double mixedTaskMsPerImage,
            List<Double> streamMsPerImage,
            long taskSwitches,
            double msPerSwitch,
            double waitMsPerSwitch,
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
            long rssAfterLoad = ProcessMemory.residentBytes();
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
            long peakRss = ProcessMemory.peakResidentBytes();
            RuntimeReport after = p.runtimeReport();
            double same = Double.NaN;
            double mixed = Double.NaN;
            List<Double> streams = new ArrayList<>();
            RuntimeReport beforeSwitching = p.runtimeReport();
            if (settings.buffers() > 0) {
                // the same (image, task) pairs in two orders: round robin over the tasks, and grouped by task
                int per = Math.max(1, (inputs.size() + tasks.size() - 1) / tasks.size());
                List<Pair> roundRobin = new ArrayList<>();
                for (int i = 0; i < per * tasks.size(); i++) {
                    roundRobin.add(new Pair(inputs.get(i % inputs.size()), tasks.get(i % tasks.size())));
                }
                List<Pair> blocked = new ArrayList<>(roundRobin);
                blocked.sort(Comparator.comparingInt(x -> tasks.indexOf(x.task()))); // stable: images keep order
                for (Task t : tasks) {
                    p.predict(inputs.get(0), t); // every head's first call, untimed
                }
                // ABBA: the order of the two streams does not favour either
                double same1 = stream(p, blocked, "same-task");
                double mixed1 = stream(p, roundRobin, "mixed-task");
                double mixed2 = stream(p, roundRobin, "mixed-task");
                double same2 = stream(p, blocked, "same-task");
                same = (same1 + same2) / 2;
                mixed = (mixed1 + mixed2) / 2;
                streams = List.of(same1, mixed1, mixed2, same2);
            }
            double n = inputs.size();
            RuntimeReport end = p.runtimeReport();
            long switches = end.taskSwitches() - beforeSwitching.taskSwitches();
            return new Result(
                    n / (wall / 1e9),
                    rssAfterLoad,
                    peakRss,
                    after.expertBytesResident(),
                    after.residentBytes(),
                    (after.bytesLoaded() - before.bytesLoaded()) / n,
                    (double) (after.stallNanos() - before.stallNanos()) / wall,
                    same,
                    mixed,
                    streams,
                    switches,
                    switches == 0 ? 0 : (end.taskSwitchNanos() - beforeSwitching.taskSwitchNanos()) / 1e6 / switches,
                    switches == 0
                            ? 0
                            : (end.taskSwitchWaitNanos() - beforeSwitching.taskSwitchWaitNanos()) / 1e6 / switches,
                    after.expertBytes(),
                    end);
        }
    }

    private record Pair(ModelInput image, Task task) {}

    /** Milliseconds per image of predicting the pairs in order. */
    private double stream(Predictor p, List<Pair> order, String label) {
        long t0 = System.nanoTime();
        for (int i = 0; i < order.size(); i++) {
            progress.accept(label + " " + (i + 1) + "/" + order.size());
            p.predict(order.get(i).image(), order.get(i).task());
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

    /** Images per second of both predictors, measured turn about in one process. */
    public record Interleaved(double residentImagesPerSecond, double streamedImagesPerSecond) {}

    /**
     * The resident and the streamed predictor in one process, one image each in turn (after {@code warmup}
     * images each): on a shared machine throughput drifts within a minute, and alternating image by image
     * exposes both predictors to the same drift, so their ratio is what streaming costs.
     */
    public static Interleaved interleaved(
            Path resident,
            Path streamed,
            int buffers,
            Task task,
            int images,
            int warmup,
            long seed,
            Consumer<String> progress)
            throws IOException {
        try (Predictor r = Predictor.builder().weights(resident).build();
                Predictor s = Predictor.builder()
                        .weights(streamed)
                        .expertBuffers(buffers)
                        .build()) {
            List<ModelInput> inputs = inputs(r.config(), images, seed);
            for (int i = 0; i < warmup; i++) {
                r.predict(inputs.get(i % inputs.size()), task);
                s.predict(inputs.get(i % inputs.size()), task);
            }
            long nr = 0;
            long ns = 0;
            for (int i = 0; i < inputs.size(); i++) {
                progress.accept("interleaved " + (i + 1) + "/" + inputs.size());
                long t0 = System.nanoTime();
                r.predict(inputs.get(i), task);
                long t1 = System.nanoTime();
                s.predict(inputs.get(i), task);
                long t2 = System.nanoTime();
                nr += t1 - t0;
                ns += t2 - t1;
            }
            return new Interleaved(inputs.size() / (nr / 1e9), inputs.size() / (ns / 1e9));
        }
    }
}
