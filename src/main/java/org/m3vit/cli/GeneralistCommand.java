package org.m3vit.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.m3vit.generalist.GeneralistConfig;
import org.m3vit.generalist.corpus.MultimodalCorpus;
import org.m3vit.generalist.eval.GeneralistEvaluation;
import org.m3vit.generalist.eval.ReparameterisationBenchmark;
import org.m3vit.generalist.train.GeneralistTraining;
import org.m3vit.train.Checkpoint;
import org.m3vit.train.RunLayout;
import org.m3vit.train.TrainingLoop;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code m3vit generalist …}: the Uni-Perceiver-MoE generalist on the multimodal corpus. */
@Command(
        name = "generalist",
        mixinStandardHelpOptions = true,
        description = "Train and evaluate the Uni-Perceiver-MoE generalist (tasks as input-target similarity) on a "
                + "multimodal corpus (m3vit synth --layout multimodal).",
        subcommands = {
            GeneralistCommand.Train.class,
            GeneralistCommand.Eval.class,
            GeneralistCommand.Reparam.class,
            GeneralistEvidenceCommands.InterferenceCommand.class,
            GeneralistEvidenceCommands.ActivationCommand.class,
            CommandLine.HelpCommand.class
        })
final class GeneralistCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(
            name = "train",
            mixinStandardHelpOptions = true,
            description = "Train a generalist: one task per batch sampled by the configured weights, AdamW with"
                    + " warm-up and cosine decay, the MoE balancing loss, atomic checkpoints (bit-exact resume),"
                    + " best.safetensors by the mean main metric over tasks.")
    static final class Train implements Callable<Integer> {
        @Option(names = "--config", required = true, paramLabel = "G.yml", description = "generalist config")
        Path config;

        @Option(names = "--data", required = true, paramLabel = "DIR", description = "multimodal corpus root")
        Path data;

        @Option(names = "--save-dir", required = true, paramLabel = "RUN", description = "run directory")
        Path saveDir;

        @Option(names = "--resume", paramLabel = "RUN|checkpoint.json", description = "continue a run")
        Path resume;

        @Option(names = "--epochs", description = "override train.epochs")
        Integer epochs;

        @Option(names = "--steps-per-epoch", description = "override train.steps_per_epoch")
        Integer stepsPerEpoch;

        @Option(names = "--routing", description = "override model.moe.routing (token|context|modality|task|attribute)")
        String routing;

        @Option(names = "--dense", description = "train the dense baseline (model.moe.enabled: False)")
        boolean dense;

        @Option(names = "--seed", description = "override train.seed")
        Long seed;

        @Option(names = "--stop-after", paramLabel = "N", description = "stop (checkpointed) after N epochs")
        Integer stopAfter;

        @Option(names = "--no-validate", description = "skip per-epoch validation (no best.safetensors)")
        boolean noValidate;

        @Option(
                names = "--checkpoint-every",
                paramLabel = "STEPS",
                defaultValue = "0",
                description = "also an atomic checkpoint every STEPS steps within an epoch, so a kill loses at most"
                        + " STEPS steps; --resume continues from it bit-identically (default 0: epoch ends only)")
        int checkpointEvery;

        @Option(
                names = "--overwrite",
                description = "start anew in a --save-dir that already holds a run: deletes that run's checkpoints,"
                        + " weights, metrics.jsonl and expert_usage.json (nothing else)")
        boolean overwrite;

        @Mixin
        ThreadsOption threads;

        @Override
        public Integer call() throws IOException {
            threads.apply();
            Map<String, Object> overrides = new LinkedHashMap<>();
            overrides.put("train.epochs", epochs);
            overrides.put("train.steps_per_epoch", stepsPerEpoch);
            overrides.put("model.moe.routing", routing);
            overrides.put("model.moe.enabled", dense ? Boolean.FALSE : null);
            overrides.put("train.seed", seed);
            GeneralistConfig c = GeneralistConfig.load(config, overrides);
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
            if (resume != null) {
                Checkpoint.jsonOf(resume); // fail before the engine starts
            } else if (!overwrite && new RunLayout(saveDir).holdsRun()) {
                throw new IllegalArgumentException("--save-dir " + saveDir + " already holds a run; continue it with"
                        + " --resume " + saveDir + ", or start it anew with --overwrite");
            }
            GeneralistTraining.checkData(data);
            Consumer<String> line = Progress.line();
            Consumer<String> log = s -> {
                Progress.clear();
                System.err.println(s);
            };
            log.accept("training " + c.model() + " on " + c.taskIds() + " → " + saveDir);
            long start = System.nanoTime();
            TrainingLoop.Result r = GeneralistTraining.run(
                    c,
                    new GeneralistTraining.Options(
                            data, saveDir, resume, stopAfter, !noValidate, checkpointEvery, overwrite),
                    line,
                    log);
            Progress.clear();
            RunLayout run = new RunLayout(saveDir);
            System.out.printf(
                    Locale.ROOT,
                    "done: %d epochs, %d steps in %.1f s; checkpoint %s%s%n",
                    r.state().epoch,
                    r.state().globalStep,
                    (System.nanoTime() - start) / 1e9,
                    run.checkpointJson(),
                    r.state().bestEpoch > 0
                            ? String.format(
                                    Locale.ROOT,
                                    "; best score %.4f at epoch %d (%s)",
                                    r.state().bestDeltaM,
                                    r.state().bestEpoch,
                                    run.bestWeights().getFileName())
                            : "");
            return 0;
        }
    }

    @Command(
            name = "eval",
            mixinStandardHelpOptions = true,
            description = "Evaluate a generalist artifact on a corpus split: top-1/top-5, retrieval R@1/5/10 both"
                    + " ways, caption BLEU-4 and CIDEr (greedy decoding), MLM accuracy; each beside its chance level.")
    static final class Eval implements Callable<Integer> {
        @Mixin
        GeneralistInputs inputs;

        @Option(names = "--split", defaultValue = "val", description = "train or val (default ${DEFAULT-VALUE})")
        String split;

        @Option(names = "--limit", defaultValue = "1000000", description = "at most this many items per task")
        int limit;

        @Option(names = "--unmerged", description = "route and apply the experts instead of using merged weights")
        boolean unmerged;

        @Option(names = "--json", description = "print the result as JSON")
        boolean json;

        @Mixin
        ThreadsOption threads;

        @Override
        public Integer call() throws IOException {
            threads.apply();
            if (limit < 1) {
                throw new IllegalArgumentException("--limit must be >= 1, got " + limit);
            }
            MultimodalCorpus.Split s = MultimodalCorpus.Split.parse(split, "--split");
            GeneralistEvaluation.Result r = GeneralistEvaluation.run(inputs.weights, inputs.data, s, limit, !unmerged);
            if (json) {
                PrettyJson.print(r);
                return 0;
            }
            System.out.printf(
                    Locale.ROOT,
                    "%s on %s (%s split, %s experts, %.1f s)%n",
                    inputs.weights,
                    inputs.data,
                    r.split(),
                    r.merged() ? "merged" : "routed",
                    r.seconds());
            System.out.printf(Locale.ROOT, "%-10s %-8s %9s %9s%n", "task", "metric", "value", "chance");
            r.metrics()
                    .forEach((task, m) -> m.forEach((k, v) -> System.out.printf(
                            Locale.ROOT,
                            "%-10s %-8s %9.4f %9.4f%n",
                            task,
                            k,
                            v,
                            r.chance().get(task).get(k))));
            return 0;
        }
    }

    @Command(
            name = "reparam",
            mixinStandardHelpOptions = true,
            description = "Expert re-parameterisation: check merged == routed on every task's inputs and time both.")
    static final class Reparam implements Callable<Integer> {
        @Mixin
        GeneralistInputs inputs;

        @Option(names = "--batch", defaultValue = "32", description = "items per forward (default ${DEFAULT-VALUE})")
        int batch;

        @Option(
                names = "--repeats",
                defaultValue = "20",
                description = "timed forwards per path (default ${DEFAULT-VALUE})")
        int repeats;

        @Mixin
        ThreadsOption threads;

        @Override
        public Integer call() throws IOException {
            threads.apply();
            if (batch < 1 || repeats < 1) {
                throw new IllegalArgumentException("--batch and --repeats must be >= 1");
            }
            List<ReparameterisationBenchmark.Row> rows =
                    ReparameterisationBenchmark.run(inputs.weights, inputs.data, batch, repeats);
            System.out.printf(
                    Locale.ROOT,
                    "%-12s %6s %12s %12s %9s %12s%n",
                    "sequence",
                    "tokens",
                    "routed ms",
                    "merged ms",
                    "speed-up",
                    "max |diff|");
            for (ReparameterisationBenchmark.Row row : rows) {
                System.out.printf(
                        Locale.ROOT,
                        "%-12s %6d %12.2f %12.2f %8.2fx %12.2e%n",
                        row.sequence(),
                        row.tokens(),
                        row.routedMs(),
                        row.mergedMs(),
                        row.routedMs() / row.mergedMs(),
                        row.maxDifference());
            }
            return 0;
        }
    }
}
