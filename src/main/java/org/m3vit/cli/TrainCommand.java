package org.m3vit.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.m3vit.io.OutputPaths;
import org.m3vit.train.Checkpoint;
import org.m3vit.train.RunLayout;
import org.m3vit.train.TrainConfig;
import org.m3vit.train.TrainingLoop;
import org.m3vit.train.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code m3vit train}: trains a multi-task model from an experiment YAML, checkpointing every epoch. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = "Train a multi-task (MoE) ViT. Writes checkpoint.json + weights/optimizer safetensors every"
                + " epoch, best.safetensors (by delta-m), metrics.jsonl and expert_usage.json into the run dir.")
final class TrainCommand implements Callable<Integer> {

    @Mixin
    ModelOptions model;

    @Mixin
    TrainOptions train;

    @Option(
            names = "--data-root",
            paramLabel = "DIR",
            description = "Dataset root (required unless the YAML has" + " data_root).")
    Path dataRoot;

    @Option(names = "--save-dir", paramLabel = "DIR", description = "Run directory (default runs/<config name>).")
    Path saveDir;

    @Option(
            names = "--resume",
            paramLabel = "DIR|checkpoint.json",
            description = "Continue a run exactly where its" + " last checkpoint left off.")
    Path resume;

    @Option(names = "--pretrained", paramLabel = "W.safetensors", description = "Start from these weights.")
    Path pretrained;

    @Option(names = "--pos-emb-from-pretrained", description = "Resize the pretrained pos_embed to this model's grid.")
    boolean posEmbFromPretrained;

    @Option(
            names = "--stop-after",
            paramLabel = "EPOCHS",
            description = "Stop (checkpointed) after this many"
                    + " completed epochs; the schedule still spans all epochs, so --resume continues the same run.")
    Integer stopAfter;

    @Option(names = "--no-validate", description = "Skip per-epoch validation (no delta-m, no best.safetensors).")
    boolean noValidate;

    @Option(
            names = "--checkpoint-every",
            paramLabel = "STEPS",
            defaultValue = "0",
            description = "Also write an atomic checkpoint every STEPS optimizer steps within an epoch, so a kill"
                    + " loses at most STEPS steps; --resume continues from it bit-identically (default 0: epoch"
                    + " ends only).")
    int checkpointEvery;

    @Option(
            names = "--overwrite",
            description = "Start anew in a --save-dir that already holds a run: deletes that run's checkpoints,"
                    + " best weights, metrics.jsonl and expert_usage.json (nothing else).")
    boolean overwrite;

    @Mixin
    ThreadsOption threadsOption;

    @Override
    public Integer call() throws Exception {
        threadsOption.apply();
        Map<String, Object> overrides = new LinkedHashMap<>(model.overrides());
        overrides.putAll(train.overrides());
        TrainConfig config = TrainConfig.load(model.config, overrides);
        if (train.taskOneHot && !config.model().taskConditioned()) {
            throw new IllegalArgumentException(
                    "--task-one-hot needs --gate-task-specific-dim G >= 1 (the size of the" + " task embedding f_t)");
        }
        if (dataRoot == null && config.dataRoot() == null) { // the library names the key; the CLI adds its flag
            throw new IllegalArgumentException("no dataset: give --data-root DIR or data_root in the config");
        }
        if (stopAfter != null && stopAfter < 1) {
            throw new IllegalArgumentException("--stop-after must be >= 1, got " + stopAfter);
        }
        if (checkpointEvery < 0) {
            throw new IllegalArgumentException(
                    "--checkpoint-every must be >= 0 (0 = epoch ends only), got " + checkpointEvery);
        }
        if (resume != null && overwrite) {
            throw new IllegalArgumentException("--resume and --overwrite exclude each other");
        }
        Path runDir = saveDir != null
                ? saveDir
                : Path.of("runs", model.config.getFileName().toString().replaceFirst("\\.ya?ml$", ""));
        OutputPaths.requireOutsideDataset(runDir, "--save-dir", dataRoot != null ? dataRoot : config.dataRoot());
        if (resume != null) {
            Checkpoint.readState(Checkpoint.jsonOf(resume)); // fail before the engine starts
        } else if (!overwrite && new RunLayout(runDir).holdsRun()) {
            throw new IllegalArgumentException("--save-dir " + runDir + " already holds a run; continue it with"
                    + " --resume " + runDir + ", or start it anew with --overwrite");
        }
        Consumer<String> line = Progress.line();
        Consumer<String> log = s -> {
            Progress.clear();
            System.err.println(s);
        };
        log.accept("training " + config.model() + " → " + runDir);
        TrainingLoop.Result r = TrainingRun.run(
                config,
                new TrainingRun.Options(
                        dataRoot,
                        runDir,
                        resume,
                        pretrained,
                        posEmbFromPretrained,
                        !noValidate,
                        stopAfter,
                        checkpointEvery,
                        overwrite),
                line,
                log);
        Progress.clear();
        RunLayout run = new RunLayout(runDir);
        System.out.println("done: " + r.state().epoch + " epochs, " + r.state().globalStep + " steps; checkpoint "
                + run.checkpointJson()
                + (r.state().bestEpoch > 0
                        ? String.format(
                                "; best delta-m %.3f at epoch %d" + " (%s)",
                                r.state().bestDeltaM,
                                r.state().bestEpoch,
                                run.bestWeights().getFileName())
                        : ""));
        return 0;
    }
}
