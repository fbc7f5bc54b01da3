package org.m3vit.spark;

import org.apache.spark.sql.SparkSession;

/**
 * The Spark session of one m3vit command. Under {@code spark-submit} the master comes from it (the
 * {@code spark.master} property) unless one is given; on its own, the session is embedded: {@code
 * local[*]} in this JVM, bound to loopback, without the web UI.
 */
public final class Sessions {

    /** Input files larger than this are refused by the binaryFile source before being read. */
    public static final int MAX_INPUT_BYTES = 256 << 20;

    private Sessions() {}

    /** @param master null: spark-submit's, else {@code local[*]} */
    public static SparkSession start(String appName, String master) {
        String m = master != null ? master : System.getProperty("spark.master", "local[*]");
        SparkSession.Builder b = SparkSession.builder()
                .appName(appName)
                .master(m)
                .config("spark.ui.enabled", "false")
                .config("spark.sql.sources.binaryFile.maxLength", String.valueOf(MAX_INPUT_BYTES))
                // executors launched by a cluster manager: offline like every m3vit JVM, and one OpenMP
                // thread per engine thread, so task slots do not fight over the cores (Spark adds its own
                // --add-opens to these options)
                .config(
                        "spark.executor.extraJavaOptions",
                        System.getProperty(
                                "spark.executor.extraJavaOptions", "-Dai.djl.offline=true -Djava.awt.headless=true"))
                .config(
                        "spark.executorEnv.OMP_NUM_THREADS",
                        System.getProperty("spark.executorEnv.OMP_NUM_THREADS", "1"))
                .config("spark.executorEnv.TORCH_CPP_LOG_LEVEL", "ERROR");
        if (m.startsWith("local")) {
            b.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
        }
        return b.getOrCreate();
    }
}
