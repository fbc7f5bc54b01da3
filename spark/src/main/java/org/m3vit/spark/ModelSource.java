package org.m3vit.spark;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkFiles;
import org.m3vit.config.ConfigLoader;
import org.m3vit.config.ConfigWriter;
import org.m3vit.config.ModelConfig;
import org.m3vit.infer.ModelArtifact;
import org.m3vit.infer.Predictor;

/**
 * Where an executor finds the model, as it travels with a job: the weights file, either shipped with the
 * job ({@code SparkContext.addFile}, found again through {@link SparkFiles}) or read from a path every
 * executor sees; the effective config as YAML (so a reference-format file needs no config file on the
 * executors); the engine's intra-op threads per executor JVM.
 */
public final class ModelSource implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String weights;
    private final transient Path driverPath;
    private final boolean shipped;
    private final String configYaml;
    private final int threads;

    private ModelSource(String weights, Path driverPath, boolean shipped, String configYaml, int threads) {
        this.weights = weights;
        this.driverPath = driverPath;
        this.shipped = shipped;
        this.configYaml = configYaml;
        this.threads = threads;
    }

    /**
     * Checks the weights against {@code given} (null for an artifact, which carries its config) on the
     * driver, so a wrong file fails before any task runs.
     *
     * @param ship whether the file goes with the job (true) or every executor reads {@code weights} itself
     */
    public static ModelSource of(Path weights, ModelConfig given, int threads, boolean ship) throws IOException {
        ModelConfig config = ModelArtifact.resolveConfig(weights, given);
        String where = ship
                ? weights.getFileName().toString()
                : weights.toAbsolutePath().toString();
        return new ModelSource(where, weights.toAbsolutePath(), ship, ConfigWriter.yaml(config), threads);
    }

    /** The model's config, as the executors will build it. */
    public ModelConfig config() {
        return ConfigLoader.parse(configYaml, Map.of());
    }

    /**
     * On the driver, before the job: registers the weights file with the context when it is shipped. A
     * context holds one file per name, so two models with the same file name need two contexts.
     */
    public void shipWith(SparkContext context) {
        if (shipped) {
            context.addFile(driverPath.toString());
        }
    }

    int threads() {
        return threads;
    }

    /** The weights file as this JVM sees it. */
    Path localWeights() {
        return Path.of(shipped ? SparkFiles.get(weights) : weights);
    }

    /** Identifies the model within one JVM: the same key means the same predictor can serve. */
    String key() {
        return localWeights() + "|" + threads + "|" + configYaml;
    }

    Predictor load() throws IOException {
        return Predictor.builder()
                .weights(localWeights())
                .config(config())
                .threads(threads)
                .build();
    }
}
