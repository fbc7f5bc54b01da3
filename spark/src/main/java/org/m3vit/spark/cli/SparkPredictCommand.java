package org.m3vit.spark.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.m3vit.spark.ModelSource;
import org.m3vit.spark.OutputFormat;
import org.m3vit.spark.Sessions;
import org.m3vit.spark.SparkPredict;
import org.m3vit.task.Task;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code m3vit spark predict}: every input file through the chosen tasks, outputs committed per task attempt. */
@Command(
        name = "predict",
        mixinStandardHelpOptions = true,
        description = "Run the chosen tasks' pathways over every .npy (one normalised image, (3,H,W) or (1,3,H,W)),"
                + " .png or .jpg file of a directory or glob, in Spark partitions, and write <out>/<task>/<name>.npy"
                + " (the raw (1,C,H,W) output) or .png (the task's picture), as m3vit predict does for one input."
                + " Outputs appear only once their Spark task has committed.")
final class SparkPredictCommand implements Callable<Integer> {

    @Mixin
    ModelFlags model;

    @Option(names = "--input", required = true, paramLabel = "DIR|GLOB", description = "Input files.")
    String input;

    @Option(
            names = "--tasks",
            required = true,
            split = ",",
            paramLabel = "t1,t2",
            description = "Tasks of the model: semseg, human_parts, sal, normals, edge, depth.")
    List<String> tasks;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory (new or empty).")
    String out;

    @Option(
            names = "--format",
            defaultValue = "npy",
            paramLabel = "npy|png",
            description = "npy: raw head output; png: the task's picture (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(
            names = "--partitions",
            defaultValue = "0",
            description = "Spread the inputs over N partitions (default: Spark's split of the files).")
    int partitions;

    @Option(names = "--batch", defaultValue = "8", description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batch;

    @Override
    public Integer call() throws Exception {
        List<Task> chosen = new ArrayList<>();
        for (String t : tasks) {
            Task task = Task.parse(t.trim());
            if (chosen.contains(task)) {
                throw new IllegalArgumentException("--tasks names " + task.id() + " twice");
            }
            chosen.add(task);
        }
        chosen.sort(null); // the reference order, whatever order they were given in
        OutputFormat f = OutputFormat.parse(format);
        ModelSource source = model.source();
        SparkPredict.Settings settings =
                new SparkPredict.Settings(source, chosen, f, partitions, batch, SparkPredict.Fault.NONE);
        long t0 = System.nanoTime();
        SparkSession spark = Sessions.start("m3vit spark predict", model.master);
        try {
            SparkPredict.Summary s = SparkPredict.run(spark, input, out, settings);
            System.err.printf(
                    "m3vit spark predict: %d inputs, %d files written to %s in %.1f s%n",
                    s.inputs(), s.files(), out, (System.nanoTime() - t0) / 1e9);
        } finally {
            spark.stop();
        }
        return 0;
    }
}
