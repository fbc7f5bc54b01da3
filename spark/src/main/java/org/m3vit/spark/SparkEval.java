package org.m3vit.spark;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.m3vit.config.ModelConfig;
import org.m3vit.data.MultiTaskReader;
import org.m3vit.data.Split;
import org.m3vit.errors.InvalidInputException;
import org.m3vit.eval.EvaluationResult;
import org.m3vit.eval.PartialEvaluation;
import org.m3vit.eval.SplitEvaluator;
import org.m3vit.infer.Predictor;
import org.m3vit.task.DatasetLayout;
import org.m3vit.task.Task;

/**
 * Distributed evaluation of the val split: each partition scores a contiguous range of images with the
 * core's {@link SplitEvaluator#runRange} and returns its accumulators ({@link PartialEvaluation}: confusion
 * counts, error sums, threshold counts, edge matches, expert counts); the driver merges them. Ranges start
 * at multiples of the batch size, so every forward pass sees the batch that {@code m3vit eval} gives it,
 * and the metrics equal the single-process ones. The dataset root must be readable at the same path by
 * the driver (which counts the split) and every executor.
 */
public final class SparkEval {

    private SparkEval() {}

    /** @param partitions 0: Spark's default parallelism */
    public static EvaluationResult run(
            SparkSession spark, ModelSource model, DatasetLayout db, String root, int partitions, int batch)
            throws IOException {
        if (batch < 1 || batch > 4096) {
            throw InvalidInputException.field("batch", "must be between 1 and 4096, got " + batch);
        }
        ModelConfig config = model.config();
        if (config.tasks().dataset() != db) {
            throw InvalidInputException.field(
                    "db", "the model was configured for " + config.tasks().dataset() + ", not " + db);
        }
        List<Task> tasks = List.copyOf(config.tasks().tasks());
        int n = MultiTaskReader.open(db, java.nio.file.Path.of(root), Split.VAL, EnumSet.copyOf(tasks))
                .size();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<int[]> ranges = ranges(n, batch, partitions > 0 ? partitions : jsc.defaultParallelism());
        model.shipWith(spark.sparkContext());
        List<PartialEvaluation> parts = jsc.parallelize(ranges, Math.max(1, ranges.size()))
                .map(r -> {
                    MultiTaskReader reader =
                            MultiTaskReader.open(db, java.nio.file.Path.of(root), Split.VAL, EnumSet.copyOf(tasks));
                    Predictor p = ExecutorPredictors.get(model);
                    return new SplitEvaluator().runRange(p, reader, r[0], r[1], batch, s -> {}, null);
                })
                .collect();
        PartialEvaluation all = new PartialEvaluation(db, tasks);
        parts.forEach(all::merge);
        return all.result();
    }

    /**
     * [from, to) ranges covering 0..n, at most {@code partitions} of them, each a whole number of batches
     * (the last may end early), as even as whole batches allow.
     */
    static List<int[]> ranges(int n, int batch, int partitions) {
        int batches = (n + batch - 1) / batch;
        int p = Math.max(1, Math.min(partitions, batches));
        List<int[]> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < p && batches > 0; i++) {
            int these = batches / p + (i < batches % p ? 1 : 0);
            int end = Math.min(n, start + these * batch);
            out.add(new int[] {start, end});
            start = end;
        }
        return out;
    }
}
