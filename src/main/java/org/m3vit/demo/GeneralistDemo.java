package org.m3vit.demo;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.m3vit.data.synth.MultimodalSynthesizer;
import org.m3vit.generalist.GeneralistArtifact;
import org.m3vit.generalist.GeneralistConfig;
import org.m3vit.generalist.corpus.CorpusSynthesis;
import org.m3vit.generalist.corpus.MultimodalCorpus;
import org.m3vit.generalist.eval.GeneralistEvaluation;
import org.m3vit.generalist.evidence.Contexts;
import org.m3vit.generalist.evidence.ExpertActivation;
import org.m3vit.generalist.evidence.Interference;
import org.m3vit.generalist.evidence.PromptTuning;
import org.m3vit.generalist.evidence.ZeroShot;
import org.m3vit.generalist.task.TaskContext;
import org.m3vit.generalist.train.GeneralistTraining;
import org.m3vit.train.Checkpoint;
import org.m3vit.train.RunLayout;

/**
 * {@code m3vit demo --generalist}: Uni-Perceiver-MoE's argument on our corpus, end to end. Synthesise (or
 * reuse) the multimodal corpus; train the dense generalist and the attribute-routed MoE at the full budget
 * and the token, context, modality and task-routed MoEs at theirs (the same by default), all holding out the same image
 * classes; evaluate each (with chance levels), measure task interference, zero-shot accuracy on the
 * held-out classes, prompt tuning and full fine-tuning on 1 % of the data, and expert-activation maps; write
 * {@code <out>/report/report.md} with PNGs. Orchestration only: every step is the generalist code the
 * {@code m3vit generalist} commands run.
 */
public final class GeneralistDemo {

    private GeneralistDemo() {}

    /**
     * Image classes held out of training, for zero-shot: two colours × two shapes, so that neither the
     * colour nor the shape alone tells them apart (each still occurs in seen classes: red and blue balls and
     * boxes, cans and towers of other colours). Only composing the two words names the class.
     */
    public static final List<String> NOVEL = List.of("red can", "red tower", "blue can", "blue tower");

    /**
     * @param fullSteps steps of the dense and attribute-routed models
     * @param reducedSteps steps of the other routing levels
     * @param samples interference gradient samples per task
     * @param evalLimit val items per task in the evaluations
     * @param tuneSteps prompt-tuning and fine-tuning steps
     */
    public record Settings(
            Path out,
            Path config,
            int images,
            int videos,
            int fullSteps,
            int reducedSteps,
            int stepsPerEpoch,
            int samples,
            int evalLimit,
            int tuneSteps,
            long seed) {}

    /** One trained model and what was measured on it. */
    public record Model(
            String name,
            String routing,
            int steps,
            double trainSeconds,
            GeneralistEvaluation.Result eval,
            Interference.Result interference,
            ZeroShot.Result zeroShot) {}

    /** One adaptation setting of one model: its zero-shot result after it, and its cost. */
    public record Adaptation(
            String model,
            String setting,
            ZeroShot.Result zeroShot,
            Map<String, Double> imageCls,
            PromptTuning.Result tuning) {}

    public record Result(
            List<Model> models,
            List<Adaptation> adaptations,
            Map<String, ExpertActivation.Result> activations,
            Path report,
            double seconds,
            Map<String, Double> stageSeconds) {}

    static final List<String[]> LEVELS = List.of(
            new String[] {"dense", "dense"},
            new String[] {"attribute", "attribute"},
            new String[] {"token", "token"},
            new String[] {"context", "context"},
            new String[] {"modality", "modality"},
            new String[] {"task", "task"});

    public static Result run(Settings s, Consumer<String> progress, Consumer<String> log) throws IOException {
        long start = System.nanoTime();
        Map<String, Double> stages = new LinkedHashMap<>();
        Path data = s.out().resolve("corpus");
        long t0 = System.nanoTime();
        if (Files.isRegularFile(data.resolve("corpus.json"))) {
            log.accept("corpus: reusing " + data);
        } else {
            log.accept("corpus: synthesising " + s.images() + " images and " + s.videos() + " clips into " + data);
            CorpusSynthesis.run(
                    new MultimodalSynthesizer.Options(s.images(), s.videos(), 4, 32, 32, s.seed(), 0.2, 1),
                    data,
                    i -> progress.accept("corpus: " + i + " items"));
        }
        stages.put("corpus", secs(t0));
        List<Model> models = new ArrayList<>();
        Map<String, Path> weights = new LinkedHashMap<>();
        for (String[] level : LEVELS) {
            boolean full = level[0].equals("dense") || level[0].equals("attribute");
            int steps = full ? s.fullSteps() : s.reducedSteps();
            GeneralistConfig c = config(s, level[1], steps);
            Path runDir = s.out().resolve("runs").resolve(level[0]);
            if (Files.exists(runDir)) {
                // a re-run replaces its runs (and reuses the corpus)
                deleteTree(runDir);
            }
            log.accept(String.format(Locale.ROOT, "train %s: %d steps (%s)", level[0], steps, c.model()));
            long ts = System.nanoTime();
            GeneralistTraining.run(
                    c, new GeneralistTraining.Options(data, runDir, null, null, false), progress, x -> {});
            double trainSeconds = secs(ts);
            Path w = new RunLayout(runDir).file(Checkpoint.readState(new RunLayout(runDir).checkpointJson()).weights);
            weights.put(level[0], w);
            log.accept(String.format(Locale.ROOT, "  trained in %.0f s; evaluating", trainSeconds));
            GeneralistEvaluation.Result eval =
                    GeneralistEvaluation.run(w, data, MultimodalCorpus.Split.VAL, s.evalLimit(), true);
            Interference.Result interference;
            ZeroShot.Result zero;
            try (NDManager m = NDManager.newBaseManager();
                    GeneralistArtifact.Loaded loaded = GeneralistArtifact.load(w, m)) {
                TaskContext ctx = Contexts.of(loaded, data, m);
                zero = ZeroShot.run(ctx, "image_cls", NOVEL, MultimodalCorpus.Split.VAL, s.evalLimit());
                log.accept("  interference");
                interference = Interference.run(
                        ctx,
                        new Interference.Options(moeBlocks(c), "mlp.fc2", s.samples(), 4, c.taskIds(), s.seed()),
                        progress);
            }
            models.add(new Model(level[0], level[1], steps, trainSeconds, eval, interference, zero));
            stages.merge("train", trainSeconds, Double::sum);
            log.accept(String.format(
                    Locale.ROOT,
                    "  %s: %s; zero-shot novel top1 %.3f",
                    level[0],
                    GeneralistReport.mainMetrics(eval),
                    zero.metrics().get("novel_top1")));
        }
        t0 = System.nanoTime();
        List<Adaptation> adaptations = new ArrayList<>();
        for (String name : List.of("dense", "attribute")) {
            Model base = models.stream()
                    .filter(x -> x.name().equals(name))
                    .findFirst()
                    .orElseThrow();
            adaptations.add(new Adaptation(
                    name, "zero-shot", base.zeroShot(), base.eval().metrics().get("image_cls"), null));
            for (PromptTuning.Mode mode : PromptTuning.Mode.values()) {
                log.accept("adapt " + name + ": " + (mode == PromptTuning.Mode.PROMPT ? "prompt tuning" : "fine-tuning")
                        + " on 1% of the image_cls data");
                try (NDManager m = NDManager.newBaseManager();
                        GeneralistArtifact.Loaded loaded = GeneralistArtifact.load(weights.get(name), m)) {
                    TaskContext ctx = Contexts.of(loaded, data, m);
                    TaskContext[] tuned = new TaskContext[1];
                    PromptTuning.Result r = PromptTuning.run(
                            loaded,
                            ctx,
                            new PromptTuning.Options(
                                    mode,
                                    "image_cls",
                                    4,
                                    0.01,
                                    s.tuneSteps(),
                                    16,
                                    mode == PromptTuning.Mode.PROMPT ? 1e-2f : 1e-3f,
                                    s.seed()),
                            s.out()
                                    .resolve("runs")
                                    .resolve(name + "-" + mode.name().toLowerCase(Locale.ROOT)),
                            m,
                            tuned);
                    ZeroShot.Result z =
                            ZeroShot.run(tuned[0], "image_cls", NOVEL, MultimodalCorpus.Split.VAL, s.evalLimit());
                    Map<String, Double> cls = org.m3vit.generalist.task.GeneralistTask.get("image_cls")
                            .evaluate(tuned[0], MultimodalCorpus.Split.VAL, s.evalLimit());
                    adaptations.add(new Adaptation(
                            name, mode == PromptTuning.Mode.PROMPT ? "prompt tuning 1%" : "fine-tuning 1%", z, cls, r));
                }
            }
        }
        stages.put("adaptation", secs(t0));
        t0 = System.nanoTime();
        Map<String, ExpertActivation.Result> activations = new LinkedHashMap<>();
        for (String[] which :
                List.of(new String[] {"attribute", "attribute"}, new String[] {"attribute", "task"}, new String[] {
                    "token", "modality"
                })) {
            log.accept("activation maps: " + which[0] + " by " + which[1]);
            try (NDManager m = NDManager.newBaseManager();
                    GeneralistArtifact.Loaded loaded = GeneralistArtifact.load(weights.get(which[0]), m)) {
                activations.put(
                        which[0] + " by " + which[1],
                        ExpertActivation.run(
                                Contexts.of(loaded, data, m),
                                loaded.config().taskIds(),
                                ExpertActivation.Condition.parse(which[1], "condition"),
                                2,
                                16,
                                s.seed()));
            }
        }
        stages.put("activation", secs(t0));
        double seconds = secs(start);
        Path report = GeneralistReport.write(s, models, adaptations, activations, stages, seconds);
        return new Result(models, adaptations, activations, report, secs(start), stages);
    }

    /** The base config with the level's routing, the budget and the held-out classes. */
    static GeneralistConfig config(Settings s, String routing, int steps) throws IOException {
        Map<String, Object> o = new LinkedHashMap<>();
        int epochs = Math.max(1, (steps + s.stepsPerEpoch() - 1) / s.stepsPerEpoch());
        o.put("train.epochs", epochs);
        o.put("train.steps_per_epoch", Math.max(1, steps / epochs));
        o.put("train.seed", s.seed());
        o.put("train.hold_out", Map.of("image_cls", NOVEL));
        if (routing.equals("dense")) {
            o.put("model.moe.enabled", Boolean.FALSE);
        } else {
            o.put("model.moe.routing", routing);
        }
        return GeneralistConfig.load(s.config(), o);
    }

    /** The blocks interference is measured in: the MoE blocks of the MoE config (the same indices for dense). */
    static List<Integer> moeBlocks(GeneralistConfig c) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < c.model().depth(); i++) {
            if (i % 2 == 1) {
                out.add(i);
            }
        }
        return out;
    }

    static double secs(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    static void deleteTree(Path dir) throws IOException {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
