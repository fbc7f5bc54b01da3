package org.m3vit.cli;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.concurrent.Callable;
import org.m3vit.config.ModelConfig;
import org.m3vit.data.MultiTaskReader;
import org.m3vit.data.Split;
import org.m3vit.eval.EvaluationResult;
import org.m3vit.eval.MetricsJson;
import org.m3vit.eval.PredictionFiles;
import org.m3vit.eval.SplitEvaluator;
import org.m3vit.infer.ModelArtifact;
import org.m3vit.infer.Predictor;
import org.m3vit.io.OutputPaths;
import org.m3vit.model.FlopCounter;
import org.m3vit.train.RunLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code m3vit eval}: metrics of a model on the val split, with predictions saved in the results layout. */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = "Evaluate a model on the val split of a dataset root: prints the metrics JSON (with delta_m) and"
                + " writes predictions as the reference saves them (<out>/<task>/<id>.png, <out>/depth/<id>.npy),"
                + " plus <out>/metrics.json and <out>/expert_usage.json.")
final class EvalCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Option(
            names = "--weights",
            required = true,
            paramLabel = "W.safetensors",
            description = "Model weights: an m3vit artifact, or reference state-dict names with --config.")
    Path weights;

    @Option(
            names = "--data-root",
            required = true,
            paramLabel = "DATA",
            description = "Dataset root, laid out as the config's val_db_name.")
    Path dataRoot;

    @Option(names = "--out", paramLabel = "DIR", description = "Results directory (default: <weights dir>/results).")
    Path out;

    @Option(
            names = "--batch-size",
            defaultValue = "8",
            description = "Images per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Mixin
    ThreadsOption threadsOption;

    @Mixin
    ExpertOptions experts;

    @Override
    public Integer call() throws Exception {
        int threads = threadsOption.apply();
        ModelConfig config = ModelArtifact.resolveConfig(weights, model.loadIfGiven());
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be >= 1, got " + batchSize);
        }
        FlopCounter.checkBatch(config, "--batch-size", batchSize);
        MultiTaskReader reader = MultiTaskReader.open(
                config.tasks().dataset(),
                dataRoot,
                Split.VAL,
                EnumSet.copyOf(config.tasks().tasks()));
        Path results =
                out != null ? out : new RunLayout(weights.toAbsolutePath().getParent()).results();
        OutputPaths.requireOutsideDataset(results, out != null ? "--out" : "the results directory", dataRoot);
        OutputPaths.requireNotInput(
                results,
                out != null ? "--out" : "the results directory",
                PredictCommand.inputs("--weights", weights, "--config", model.config));
        EvaluationResult r;
        try (Predictor predictor = experts.apply(
                        Predictor.builder().weights(weights).config(config).threads(threads))
                .build()) {
            r = new SplitEvaluator()
                    .run(
                            predictor,
                            reader,
                            batchSize,
                            Progress.line(),
                            (id, p) -> PredictionFiles.write(results, id, p));
            if (experts.streamed()) {
                Progress.clear();
                RuntimeText.print(predictor.runtimeReport(), System.err);
            }
        }
        Progress.clear();
        r.writeTo(results);
        System.out.println(MetricsJson.format(r.toJsonMap(true)));
        return 0;
    }
}
