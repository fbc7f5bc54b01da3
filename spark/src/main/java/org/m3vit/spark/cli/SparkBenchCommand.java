package org.m3vit.spark.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.m3vit.config.ConfigLoader;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.spark.Benchmark;
import org.m3vit.spark.ModelSource;
import org.m3vit.task.Task;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code m3vit spark bench}: images/s, single process against spark predict on local[1] and local[2]. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "A benchmark, not a test: the same N random normalised images through one task, first in this"
                + " JVM without Spark, then through spark predict on each --masters entry; prints images/s. The"
                + " model is loaded and warmed up before timing. Run it on a quiet machine.")
final class SparkBenchCommand implements Callable<Integer> {

    @Option(names = "--weights", required = true, paramLabel = "W.safetensors", description = "Model weights.")
    Path weights;

    @Option(names = "--config", paramLabel = "C.yml", description = "For a reference-format weights file.")
    Path config;

    @Option(names = "--task", defaultValue = "semseg", description = "Task (default: ${DEFAULT-VALUE}).")
    String task;

    @Option(names = "--images", defaultValue = "200", description = "Images (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(names = "--batch", defaultValue = "8", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(
            names = "--masters",
            split = ",",
            defaultValue = "local[1],local[2]",
            description = "Spark masters to time (default: ${DEFAULT-VALUE}).")
    List<String> masters;

    @Option(names = "--work", paramLabel = "DIR", description = "Scratch directory (default: a new temporary one).")
    Path work;

    @Override
    public Integer call() throws Exception {
        if (images < 1 || images > 100_000) {
            throw InvalidInputException.field("--images", "must be between 1 and 100000, got " + images);
        }
        Task t = Task.parse(task);
        // one engine thread: each Spark task slot is one thread, and the single process gets the same
        ModelSource model = ModelSource.of(weights, config == null ? null : ConfigLoader.load(config), 1, false);
        Path dir = work != null ? work : Files.createTempDirectory("m3vit-spark-bench");
        Path in = dir.resolve("in");
        if (Files.exists(in)) {
            throw InvalidInputException.file(in, "exists; give --work a new directory");
        }
        Benchmark.writeInputs(in, model.config(), images, 42);
        Benchmark.warmUp(model, in, t, batch);
        // Spark's first job in a JVM loads and compiles much of Spark (seconds); an untimed job on a few
        // images takes that out of the first timed run
        Path warm = dir.resolve("warm-in");
        Benchmark.writeInputs(warm, model.config(), Math.min(images, batch), 7);
        Benchmark.spark(model, warm, t, batch, "local[1]", dir.resolve("out-warm"));
        List<Benchmark.Run> runs = new ArrayList<>();
        runs.add(Benchmark.singleProcess(model, in, t, batch, dir.resolve("out-single")));
        for (int i = 0; i < masters.size(); i++) {
            runs.add(Benchmark.spark(model, in, t, batch, masters.get(i).trim(), dir.resolve("out-spark-" + i)));
        }
        System.out.printf("%-20s %8s %8s %10s%n", "mode", "images", "seconds", "images/s");
        for (Benchmark.Run r : runs) {
            System.out.printf("%-20s %8d %8.2f %10.2f%n", r.mode(), r.images(), r.seconds(), r.imagesPerSecond());
        }
        System.out.println("scratch: " + dir);
        return 0;
    }
}
