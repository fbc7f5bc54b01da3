package org.m3vit.spark;

import java.io.IOException;
import java.io.Serializable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.m3vit.config.ModelConfig;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.task.Task;

/**
 * Distributed batch inference: every input file under a directory or glob through the chosen tasks'
 * pathways, written as {@code <out>/<task>/<name>.npy|png} through Hadoop's {@code FileOutputCommitter}
 * (algorithm 1), so outputs appear only when their task attempt and then the job commit. Inputs are read
 * by Spark's {@code binaryFile} source.
 */
public final class SparkPredict {

    /** Called for each output just before it is handed to the writer; tests inject failures with it. */
    public interface Fault extends Serializable {
        Fault NONE = path -> {};

        void beforeOutput(String relativePath);
    }

    /**
     * @param partitions 0 keeps Spark's split of the input files; otherwise the files are spread over this
     *     many partitions
     * @param batch images per forward pass
     */
    public record Settings(
            ModelSource model, List<Task> tasks, OutputFormat format, int partitions, int batch, Fault fault)
            implements Serializable {
        public Settings {
            tasks = List.copyOf(tasks);
            if (tasks.isEmpty()) {
                throw InvalidInputException.field("tasks", "no task given");
            }
            if (batch < 1 || batch > 4096) {
                throw InvalidInputException.field("batch", "must be between 1 and 4096, got " + batch);
            }
            if (partitions < 0 || partitions > 1_000_000) {
                throw InvalidInputException.field("partitions", "must be between 1 and 1000000, got " + partitions);
            }
        }
    }

    /** What a run wrote: inputs read and files written. */
    public record Summary(long inputs, long files) {}

    private SparkPredict() {}

    public static Summary run(SparkSession spark, String input, String out, Settings s) throws IOException {
        ModelConfig config = s.model().config();
        for (Task t : s.tasks()) {
            if (!config.tasks().tasks().contains(t)) {
                throw InvalidInputException.field(
                        "tasks", "the model has no " + t.id() + " head (it has " + config.tasks() + ")");
            }
        }
        Configuration hadoop = writeConfiguration(spark);
        requireEmptyOutput(out, hadoop);
        Dataset<Row> files = read(spark, input);
        List<Row> paths = files.select("path").collectAsList();
        if (paths.isEmpty()) {
            throw InvalidInputException.file(input, "no .npy, .png or .jpg input files");
        }
        requireDistinctNames(paths);
        Dataset<Row> rows = files.select("path", "content");
        if (s.partitions() > 0) {
            rows = rows.repartition(s.partitions());
        }
        s.model().shipWith(spark.sparkContext());
        JavaPairRDD<String, byte[]> outputs = rows.javaRDD().mapPartitionsToPair(new PredictPartition(s));
        outputs.saveAsNewAPIHadoopFile(out, String.class, byte[].class, FilesOutputFormat.class, hadoop);
        return new Summary(paths.size(), (long) paths.size() * s.tasks().size());
    }

    private static Dataset<Row> read(SparkSession spark, String input) {
        try {
            return spark.read()
                    .format("binaryFile")
                    .option("pathGlobFilter", InputFile.GLOB)
                    .load(input);
        } catch (Exception e) {
            if (e instanceof AnalysisException) {
                throw InvalidInputException.file(input, "cannot be read as input files: " + firstLine(e));
            }
            throw e;
        }
    }

    /** The job's Hadoop settings: the commit algorithm whose outputs appear at job commit, no .crc files. */
    static Configuration writeConfiguration(SparkSession spark) {
        Configuration c = new Configuration(spark.sparkContext().hadoopConfiguration());
        c.set("mapreduce.fileoutputcommitter.algorithm.version", "1");
        c.set("fs.file.impl", "org.apache.hadoop.fs.RawLocalFileSystem");
        c.setBoolean("fs.file.impl.disable.cache", true);
        return c;
    }

    private static void requireEmptyOutput(String out, Configuration hadoop) throws IOException {
        Path p = new Path(out);
        FileSystem fs = p.getFileSystem(hadoop);
        if (!fs.exists(p)) {
            return;
        }
        FileStatus st = fs.getFileStatus(p);
        if (!st.isDirectory()) {
            throw InvalidInputException.file(out, "exists and is not a directory");
        }
        if (fs.listStatus(p).length > 0) {
            throw InvalidInputException.file(out, "output directory is not empty; give a new or empty one");
        }
    }

    private static void requireDistinctNames(List<Row> paths) {
        Map<String, String> byName = new HashMap<>();
        for (Row r : paths) {
            String path = r.getString(0);
            String before = byName.put(InputFile.outputName(path), path);
            if (before != null) {
                throw InvalidInputException.file(
                        path, "has the same output name as " + before + " (outputs are named after the input)");
            }
        }
    }

    static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
