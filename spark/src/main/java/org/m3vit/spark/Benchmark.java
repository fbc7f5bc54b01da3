package org.m3vit.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.m3vit.config.ModelConfig;
import org.m3vit.infer.ModelInput;
import org.m3vit.infer.Predictor;
import org.m3vit.io.AtomicFiles;
import org.m3vit.io.NpyFiles;
import org.m3vit.io.Tensor;
import org.m3vit.task.Task;

/**
 * {@code spark bench}: images/s of the same inputs through one task, in this JVM without Spark (read,
 * predict in batches, encode, write: what {@code spark predict} does per partition, minus Spark) and through
 * {@code spark predict} on each given master. The model is loaded and warmed up before any timing, and every
 * run reads it from the same path, so the per-JVM predictor cache serves all of them: the times are
 * inference plus I/O plus (for Spark) scheduling and commit, not loading.
 */
public final class Benchmark {

    /** One timed run. */
    public record Run(String mode, int images, double seconds) {
        public double imagesPerSecond() {
            return images / seconds;
        }
    }

    private Benchmark() {}

    /** Writes {@code n} random normalised images (3, H, W) as .npy files into {@code dir}. */
    public static void writeInputs(Path dir, ModelConfig config, int n, long seed) throws IOException {
        Files.createDirectories(dir);
        Random r = new Random(seed);
        int per = config.inChans() * config.imgHeight() * config.imgWidth();
        for (int i = 0; i < n; i++) {
            float[] x = new float[per];
            for (int k = 0; k < per; k++) {
                x[k] = (float) r.nextGaussian();
            }
            int[] shape = {config.inChans(), config.imgHeight(), config.imgWidth()};
            AtomicFiles.write(dir.resolve(String.format("img%05d.npy", i)), NpyFiles.encodeFloat32(shape, x));
        }
    }

    /** The inputs through {@code task} in this JVM, {@code batch} at a time, outputs written to {@code out}. */
    public static Run singleProcess(ModelSource model, Path inputs, Task task, int batch, Path out) throws IOException {
        Predictor p = ExecutorPredictors.get(model);
        List<Path> files = list(inputs);
        Files.createDirectories(out.resolve(task.id()));
        long t0 = System.nanoTime();
        for (int i = 0; i < files.size(); i += batch) {
            List<InputFile> in = new ArrayList<>();
            List<ModelInput> xs = new ArrayList<>();
            for (Path f : files.subList(i, Math.min(files.size(), i + batch))) {
                InputFile one = InputFile.decode(f.toString(), Files.readAllBytes(f), p.config());
                in.add(one);
                xs.add(one.input());
            }
            Tensor y = p.predictBatch(xs, task);
            long[] s = y.shape();
            int per = (int) (s[1] * s[2] * s[3]);
            for (int k = 0; k < in.size(); k++) {
                float[] row = new float[per];
                System.arraycopy(y.floats(), k * per, row, 0, per);
                Tensor one = Tensor.of(new long[] {1, s[1], s[2], s[3]}, row);
                AtomicFiles.write(
                        out.resolve(
                                OutputFormat.NPY.relativePath(task, in.get(k).name())),
                        OutputFormat.NPY.encode(task, one, in.get(k)));
            }
        }
        return new Run("single process", files.size(), (System.nanoTime() - t0) / 1e9);
    }

    /** The inputs through {@code spark predict} on {@code master}; the session's start is not timed. */
    public static Run spark(ModelSource model, Path inputs, Task task, int batch, String master, Path out)
            throws IOException {
        SparkSession spark = Sessions.start("m3vit spark bench", master);
        try {
            SparkPredict.Settings s = new SparkPredict.Settings(
                    model, List.of(task), OutputFormat.NPY, 0, batch, SparkPredict.Fault.NONE);
            long t0 = System.nanoTime();
            SparkPredict.Summary r = SparkPredict.run(spark, inputs.toString(), out.toString(), s);
            return new Run("spark " + master, (int) r.inputs(), (System.nanoTime() - t0) / 1e9);
        } finally {
            spark.stop();
        }
    }

    /** Warms the cached predictor up with one batch, so no run pays for loading or first-call costs. */
    public static void warmUp(ModelSource model, Path inputs, Task task, int batch) throws IOException {
        Predictor p = ExecutorPredictors.get(model);
        List<ModelInput> xs = new ArrayList<>();
        for (Path f : list(inputs).subList(0, Math.min(batch, list(inputs).size()))) {
            xs.add(InputFile.decode(f.toString(), Files.readAllBytes(f), p.config())
                    .input());
        }
        p.predictBatch(xs, task);
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> InputFile.isNpy(f.toString())).sorted().toList();
        }
    }
}
