package org.m3vit.spark.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.m3vit.eval.EvaluationResult;
import org.m3vit.eval.MetricsJson;
import org.m3vit.spark.Sessions;
import org.m3vit.spark.SparkEval;
import org.m3vit.task.DatasetLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code m3vit spark eval}: the val split's metrics, scored per partition and merged on the driver. */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = "Evaluate a model on the val split of a dataset root in Spark partitions: each partition scores"
                + " a range of images, the driver merges the accumulators and prints the metrics JSON (with delta_m),"
                + " the same numbers as m3vit eval. DATA must be readable at the same path on every executor.")
final class SparkEvalCommand implements Callable<Integer> {

    @Mixin
    ModelFlags model;

    @Option(names = "--db", required = true, paramLabel = "nyud|pascal", description = "The dataset's layout.")
    String db;

    @Option(names = "--root", required = true, paramLabel = "DATA", description = "Dataset root.")
    Path root;

    @Option(
            names = "--partitions",
            defaultValue = "0",
            description = "Number of image ranges (default: Spark's default parallelism).")
    int partitions;

    @Option(
            names = "--batch",
            defaultValue = "8",
            description = "Images per forward pass (default: ${DEFAULT-VALUE}, as m3vit eval's --batch-size).")
    int batch;

    @Option(names = "--out", paramLabel = "DIR", description = "Also write metrics.json and expert_usage.json here.")
    Path out;

    @Override
    public Integer call() throws Exception {
        DatasetLayout layout = DatasetLayout.parse(db);
        var source = model.source();
        EvaluationResult r;
        SparkSession spark = Sessions.start("m3vit spark eval", model.master);
        try {
            r = SparkEval.run(spark, source, layout, root.toAbsolutePath().toString(), partitions, batch);
        } finally {
            spark.stop();
        }
        if (out != null) {
            r.writeTo(out);
        }
        System.out.println(MetricsJson.format(r.toJsonMap(true)));
        return 0;
    }
}
