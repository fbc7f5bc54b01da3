package org.m3vit.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Callable;
import org.m3vit.config.ConfigLoader;
import org.m3vit.config.ModelConfig;
import org.m3vit.data.MultiTaskReader;
import org.m3vit.data.Split;
import org.m3vit.infer.Predictor;
import org.m3vit.io.OutputPaths;
import org.m3vit.report.ExamplePrediction;
import org.m3vit.report.ExamplePredictions;
import org.m3vit.report.ReportWriter;
import org.m3vit.report.RunData;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code m3vit report}: markdown summary and PNG plots comparing training runs. */
@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        description =
                "Compare runs: report.md (final metrics, Δm, params/GFLOPs) and PNG plots (loss curves, validation"
                        + " curves, metric bars, expert-usage heatmaps). With --config/--weights/--data-root also an example"
                        + " grid (input, ground truth, prediction per task) from the first val images.")
final class ReportCommand implements Callable<Integer> {

    @Option(
            names = "--run",
            required = true,
            paramLabel = "DIR",
            description = "A run directory with metrics.jsonl (repeat for several runs).")
    List<Path> runs;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Report directory.")
    Path out;

    @Option(names = "--config", paramLabel = "C.yml", description = "Config of the model for the example grid.")
    Path config;

    @Option(names = "--weights", paramLabel = "W.safetensors", description = "Weights for the example grid.")
    Path weights;

    @Option(names = "--data-root", paramLabel = "DATA", description = "Dataset root for the example grid.")
    Path dataRoot;

    @Option(
            names = "--examples",
            defaultValue = "4",
            description = "Images in the example grid (default: ${DEFAULT-VALUE}).")
    int examples;

    @Override
    public Integer call() throws Exception {
        OutputPaths.requireOutsideDataset(out, "--out", dataRoot);
        OutputPaths.requireNotInput(out, "--out", PredictCommand.inputs("--weights", weights, "--config", config));
        List<RunData> data = new ArrayList<>();
        for (Path r : runs) {
            data.add(RunData.load(r));
        }
        if ((weights != null) != (dataRoot != null) || (config != null && weights == null)) {
            throw new IllegalArgumentException("the example grid needs --weights and --data-root (and --config for a"
                    + " reference-format weights file)");
        }
        List<ExamplePrediction> ex = List.of();
        if (weights != null && examples > 0) {
            ModelConfig given = config == null ? null : ConfigLoader.load(config);
            try (Predictor predictor =
                    Predictor.builder().weights(weights).config(given).build()) {
                ModelConfig c = predictor.config();
                MultiTaskReader reader = MultiTaskReader.open(
                        c.tasks().dataset(),
                        dataRoot,
                        Split.VAL,
                        EnumSet.copyOf(c.tasks().tasks()));
                ex = ExamplePredictions.collect(predictor, reader, examples);
            }
        }
        System.out.println(ReportWriter.write(data, ex, out));
        return 0;
    }
}
