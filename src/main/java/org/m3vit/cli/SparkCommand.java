package org.m3vit.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code m3vit spark}: listed here so that {@code m3vit --help} shows it, but it lives in the spark module,
 * which needs Spark on the classpath; bin/m3vit sends every {@code spark …} command line there. Reaching
 * this class means the launcher was bypassed, which is an error, not a silent no-op.
 */
@Command(
        name = "spark",
        description = "Scale-out on Apache Spark: spark predict, spark eval, spark bench (the spark module; run"
                + " through bin/m3vit). See docs/spark.md.")
final class SparkCommand implements Callable<Integer> {

    @Unmatched
    List<String> args;

    @Override
    public Integer call() {
        throw new IllegalStateException("the spark commands are in the spark module, which is not on this classpath;"
                + " run them as bin/m3vit spark … after mvn -B -q package -DskipTests (the launcher adds"
                + " spark/target/ and Spark's libraries)");
    }
}
