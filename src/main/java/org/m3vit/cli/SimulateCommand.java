package org.m3vit.cli;

import com.google.gson.GsonBuilder;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.m3vit.accel.HardwareProfile;
import org.m3vit.accel.MeasuredRouting;
import org.m3vit.accel.ReportText;
import org.m3vit.accel.Routing;
import org.m3vit.accel.SimulationReport;
import org.m3vit.accel.Simulator;
import org.m3vit.accel.StallChart;
import org.m3vit.accel.SyntheticRouting;
import org.m3vit.accel.TraceCrossCheck;
import org.m3vit.accel.TraceRouting;
import org.m3vit.accel.Workload;
import org.m3vit.config.ModelConfig;
import org.m3vit.io.OutputPaths;
import org.m3vit.runtime.ExpertTrace;
import org.m3vit.task.Task;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code m3vit simulate}: what a task's pathway would cost on an accelerator, under four expert schedules. */
@Command(
        name = "simulate",
        mixinStandardHelpOptions = true,
        description = "Model one task's pathway on an accelerator (a hardware profile YAML) under four schedules:"
                + " token_order, all_resident, reordered and double_buffered. Prints latency, off-chip traffic,"
                + " on-chip memory, energy and the compute/stall split per schedule and per layer, the task-switch"
                + " cost and the ratios of M3ViT's claims. Routing comes from a real forward (--weights --data),"
                + " a trace (--trace) or a seeded synthetic distribution (--routing, default uniform)."
                + " Formulas: docs/accelerator.md.")
final class SimulateCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Option(
            names = "--hardware",
            required = true,
            paramLabel = "H.yml",
            description = "Hardware profile (configs/hardware/zcu102.yml, zcu104.yml).")
    Path hardware;

    @Option(
            names = "--routing",
            paramLabel = "uniform|zipf:S",
            description = "Synthetic routing: uniform, or Zipf popularity with exponent S (default: uniform).")
    String routing;

    @Option(names = "--trace", paramLabel = "FILE", description = "Expert trace written by the runtime (JSON).")
    Path trace;

    @Option(
            names = "--weights",
            paramLabel = "W.safetensors",
            description = "Weights for a real forward (with --data).")
    Path weights;

    @Option(names = "--data", paramLabel = "ROOT", description = "Dataset root whose val images the forward runs on.")
    Path data;

    @Option(names = "--task", description = "The task whose pathway runs (default: the config's first task).")
    String task;

    @Option(names = "--images", defaultValue = "8", description = "Images to simulate (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(
            names = "--seed",
            defaultValue = "0",
            description = "Seed of the synthetic routing (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", description = "Print one JSON object (one line) instead of tables.")
    boolean json;

    @Option(
            names = "--plot",
            paramLabel = "out.png",
            description = "Write stacked compute/stall bars per layer and schedule.")
    Path plot;

    @Mixin
    ThreadsOption threadsOption;

    @Override
    public Integer call() throws Exception {
        int sources = (routing != null ? 1 : 0) + (trace != null ? 1 : 0) + (weights != null || data != null ? 1 : 0);
        if (sources > 1) {
            throw new IllegalArgumentException("give one routing source: --routing, --trace, or --weights with --data");
        }
        if ((weights == null) != (data == null)) {
            throw new IllegalArgumentException("--weights and --data go together (a forward needs both)");
        }
        if (plot != null) {
            OutputPaths.requireNotInput(
                    plot,
                    "--plot",
                    PredictCommand.inputs(
                            "--config", model.config, "--hardware", hardware, "--trace", trace, "--weights", weights));
        }
        ModelConfig config = model.load();
        Workload.requireMoe(config);
        HardwareProfile hw = HardwareProfile.load(hardware);
        Task t = task == null ? config.tasks().tasks().get(0) : Workload.task(config, task);
        Routing r;
        TraceCrossCheck check = null;
        if (trace != null) {
            TraceRouting tr = TraceRouting.of(ExpertTrace.read(trace), trace, config, t, images);
            r = tr.routing();
            check = tr.crossCheck();
        } else if (weights != null) {
            threadsOption.apply();
            r = MeasuredRouting.measure(config, t, weights, data, images);
        } else {
            r = SyntheticRouting.parse(routing == null ? "uniform" : routing).generate(config, images, seed);
        }
        SimulationReport report = Simulator.run(config, t, r, hw, check);
        if (plot != null) {
            StallChart.write(report, plot);
        }
        if (json) {
            System.out.println(new GsonBuilder()
                    .disableHtmlEscaping()
                    .serializeSpecialFloatingPointValues()
                    .create()
                    .toJson(report.toJson()));
        } else {
            ReportText.print(report, System.out);
            if (plot != null) {
                System.out.println("plot: " + plot);
            }
        }
        return 0;
    }
}
